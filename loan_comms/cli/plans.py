"""Repayment plans from the borrower's side: the page behind the offer link (served with the survey
page by `pages`), the page's choice files, and the arrangements agents agreed on calls and visits.

The pages never open the database: they read the files the flows export beside it
(survey_tokens.json, plan_offers.json) and write answer and choice files into the inbox, which the
ingest flow (or `ingest-arrangement-choices`) lands. Every command prints counts, never personal data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import ConfigOpt, CountOpt, DbOpt, EncodingOpt, ingest_file, load_cfg

app = typer.Typer()


@app.command("ingest-arrangement-choices")
def ingest_arrangement_choices_cmd(path: Path = typer.Argument(..., help="Plan choices (.jsonl, .json list or .csv, "
                                                               ".gz too) or a directory of them: token, option_no, "
                                                               "chosen_at, external_id."),
                                   db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
                                   encoding: Optional[str] = EncodingOpt) -> None:
    """Land plan choices from a file (source `file`; the plan page's own files, landed by the ingest flow,
    are `web`). Each is checked against its offer (known token, not expired, an option it showed, not
    taken, no other plan open on the loan); an option that needs approval waits for review. Bad rows go
    to import_quarantine with their line and reason. Re-ingesting is safe."""
    from loan_comms.arrangements.intake import ingest_arrangement_choices

    cfg = load_cfg(config)
    ingest_file(db, lambda con: ingest_arrangement_choices(con, cfg, path, encoding=encoding),
                "ingest-arrangement-choices")


@app.command("record-arrangements")
def record_arrangements_cmd(file: Path = typer.Argument(..., help="Arrangements agreed by agents (.csv, .jsonl or "
                                                        ".json list): id, loan_id, option_id, agent_id, agreed_at "
                                                        "(ISO 8601 with its zone), channel (call|visit)."),
                            db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
                            encoding: Optional[str] = EncodingOpt) -> None:
    """Record the arrangements agents agreed with borrowers on a call or a visit. Each row's option is
    computed for its loan as of the agreed day: within the automatic rules it is active at once,
    otherwise it waits for a reviewer (never the agent who recorded it). Agents are named by id only.
    Bad rows go to import_quarantine with their line and reason; one line of counts. Re-recording is safe."""
    from loan_comms.arrangements.agents import record_agent_arrangements

    cfg = load_cfg(config)
    ingest_file(db, lambda con: record_agent_arrangements(con, cfg, file, encoding=encoding), "record-arrangements")


@app.command("pages")
def pages_cmd(port: int = CountOpt(8089, "--port", help="Port to listen on.", max=65535),
              tokens: Path = typer.Option(Path("data/survey_tokens.json"), "--tokens",
                                          help="The open surveys' page data (exported by the flows)."),
              offers: Path = typer.Option(Path("data/plan_offers.json"), "--offers",
                                          help="The open plan offers' page data (exported by the flows)."),
              inbox: Path = typer.Option(Path("data/inbox"), "--inbox",
                                         help="Drop folders root: <inbox>/survey_answers/, <inbox>/arrangement_choices/."),
              config: Optional[Path] = ConfigOpt,
              flush_seconds: float = typer.Option(5.0, "--flush-seconds", min=0.1),
              bind_all: bool = typer.Option(False, "--bind-all", help="Listen on 0.0.0.0, not 127.0.0.1.")) -> None:
    """The borrower-facing pages on one port: the survey page at the survey link's path (default /s/) and
    the plan page at [arrangements] link_base's path (default /p/). Never opens the database: it reads
    the exported files and writes answer and choice files the ingest lands."""
    from urllib.parse import urlsplit

    from loan_comms.errors import LoanCommsError
    from loan_comms.pages import plan_site, serve, survey_site

    cfg = load_cfg(config)
    survey_prefix = urlsplit(cfg.general.survey_link_base).path or "/s/"
    plan_prefix = urlsplit(cfg.arrangements.link_base).path or "/p/"
    if survey_prefix.strip("/") == plan_prefix.strip("/"):
        raise LoanCommsError(f"the survey link and the plan link share the path {plan_prefix}: give them "
                             "different paths ([general] survey_link_base, [arrangements] link_base)")
    sites = [survey_site(tokens, inbox, prefix=survey_prefix, flush_seconds=flush_seconds),
             plan_site(offers, inbox, prefix=plan_prefix, flush_seconds=flush_seconds)]
    serve(sites, port, host="0.0.0.0" if bind_all else "127.0.0.1")
