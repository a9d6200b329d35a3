"""`loan-comms experiments ...`: the strategy experiments of config/experiments.toml (docs/experiments.md).

    experiments list                      the experiments, their dates and arms (and stops, with --db)
    experiments readout --db [--as-of]    the arms side by side with intervals, and the verdicts
                        [--json] [--experiment NAME]
    experiments guardrails --db --as-of   check the guardrails now (what the daily flow does after
                                          ingest): an arm that fires is stopped from the next day and
                                          operations are alerted

Counts and rates only. A wrong experiment name, a bad file or a missing book is one line (errors.py).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import ConfigOpt, DayOpt, DbOpt, book, load_cfg
from loan_comms.cli.errors import ReportingGroup

app = typer.Typer(help="Strategy experiments: list them, read their outcomes per arm, check their guardrails.",
                  no_args_is_help=True, cls=ReportingGroup)


@app.command("list")
def list_cmd(config: Optional[Path] = ConfigOpt,
             db: Optional[Path] = typer.Option(None, "--db", help="Also show the arms a guardrail stopped in "
                                               "this book.")) -> None:
    """The experiments the config names: dates, cure window, arms and their shares."""
    from loan_comms import db as dbm
    from loan_comms.experiments.config import experiments_for, experiments_path

    cfg = load_cfg(config)
    file = experiments_for(cfg)
    if not file.experiments:
        path = experiments_path(cfg)
        typer.echo("no experiments" + (f" in {path}" if path else " (the lifecycle config names no experiments "
                                                                  "file: [experiments].file)"))
        return
    stops: dict[tuple[str, str], str] = {}
    if db is not None:
        with book(db, read_only=True) as con:
            for e in file.experiments:
                for r in dbm.rows(con, "experiments/stopped_arms", {"experiment": e.name}):
                    stops[(e.name, r["arm"])] = f"stopped {r['stopped_on']} ({r['reason']})"
    today = datetime.now(UTC).date()
    for e in file.experiments:
        state = "running" if e.start <= today <= e.end else ("ended" if e.end < today else "not started")
        typer.echo(f"{e.name}: {e.start} to {e.end} ({state}), cured = current within {e.cure_within_days} days, "
                   f"minimum detectable effect {100 * e.min_detectable_effect:g} pts")
        for a in e.arms:
            extra = f"; {stops[(e.name, a.name)]}" if (e.name, a.name) in stops else ""
            typer.echo(f"  {a.name}: {a.share:.0%}{(' - ' + a.description) if a.description else ''}{extra}")


@app.command("readout")
def readout_cmd(db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
                as_of: Optional[date] = DayOpt(None, "--as-of", help="Outcomes up to this day (default: the "
                                               "newest day planned in the book)."),
                experiment: Optional[list[str]] = typer.Option(None, "--experiment",
                                                               help="Only this experiment (repeatable)."),
                as_json: bool = typer.Option(False, "--json", help="One JSON document instead of markdown.")) -> None:
    """Each experiment's arms side by side with their intervals, the minimum sample and the verdicts."""
    from loan_comms.experiments.readout import default_as_of, readout

    cfg = load_cfg(config)
    with book(db, read_only=True) as con:
        day = as_of or default_as_of(con) or datetime.now(UTC).date()
        found = readout(con, cfg, day, experiment or None)
    if as_json:
        typer.echo(json.dumps({"as_of": day.isoformat(), "experiments": [r.as_dict() for r in found]}, indent=2))
        return
    if not found:
        from loan_comms.experiments.config import experiments_for

        none = not experiments_for(cfg).experiments
        typer.echo("no experiments configured ([experiments].file of the lifecycle config, or "
                   "LOAN_COMMS_EXPERIMENTS_FILE)" if none else f"no experiment has started by {day}")
    for r in found:
        typer.echo(r.markdown())


@app.command("guardrails")
def guardrails_cmd(db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
                   as_of: date = DayOpt(..., "--as-of", help="Check with the events up to this day; an arm "
                                        "that fires is stopped from the day after.")) -> None:
    """Check the running experiments' guardrails now; stop and alert on each arm that fires."""
    from loan_comms.experiments.guardrails import guard
    from loan_comms.ops.alerting import webhook_url

    cfg = load_cfg(config)
    with book(db, "experiments guardrails (CLI)") as con:
        stops = guard(con, cfg, as_of, flow="experiments guardrails (CLI)", url=webhook_url(cfg))
    for s in stops:
        typer.echo(s.line())
    typer.echo(f"{as_of}: {len(stops)} arm(s) stopped")
