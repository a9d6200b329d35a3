"""Tasks: ingest what arrived in the drop folders under data/inbox/, then move each file aside.

    data/inbox/operator_events/   agent-entered events (.jsonl/.json/.csv)      loan_comms.inbound.events
    data/inbox/call_outcomes/     dialer results (.jsonl/.json/.csv)            loan_comms.inbound.events
    data/inbox/receipts/          provider delivery receipts (.json/.jsonl)    loan_comms.inbound.receipts
    data/inbox/replies/           inbound SMS (.json/.jsonl)                   loan_comms.inbound.replies
    data/inbox/email_replies/     e-mail replies (Inbound Parse .jsonl, .eml)  loan_comms.inbound.email_ingest
    data/inbox/survey_answers/    survey answers (.jsonl/.json/.csv): the survey  loan_comms.surveys.intake
                                  page's (web) and any survey file drop
    data/inbox/arrangement_choices/  plan choices (.jsonl/.json/.csv): the plan   loan_comms.arrangements.intake
                                  page's (web) and its call-me requests

A file is picked up once it is complete (write it as `name.part` or `.name`, then rename; a `.gz`
of any of these is read too). Its good rows land and its bad rows go to import_quarantine (file,
line, reason), in one transaction; then it moves to data/inbox/processed/<kind>/ with a UTC time
prefix. A file that cannot be read at all (not UTF-8, truncated gzip) moves to
data/inbox/failed/<kind>/ with a `.error.txt` beside it, and the run reports it. Nothing is deleted,
and every ingester is idempotent, so putting a file back re-ingests it harmlessly.

After the pass, the review queue (texts too uncertain to act on, questions to answer) is read as of
now: the report carries its items without personal data (id, age, deadline, overdue, channel,
candidate intents) for the flow's artifact and its overdue alert.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig
from loan_comms.inbound import InboundFileError, open_reviews, review_artifact_rows
from loan_comms.paths import DATA_DIR
from loan_comms.masking import mask_pii
from tasks.common import config, open_db

DEFAULT_INBOX = DATA_DIR / "inbox"
KINDS: dict[str, tuple[str, ...]] = {      # in the order they are applied
    "operator_events": (".jsonl", ".json", ".csv"),
    "call_outcomes": (".jsonl", ".json", ".csv"),
    "receipts": (".json", ".jsonl", ".ndjson"),
    "replies": (".json", ".jsonl", ".ndjson"),
    "email_replies": (".jsonl", ".json", ".ndjson", ".eml"),
    "survey_answers": (".jsonl", ".json", ".ndjson", ".csv"),
    "arrangement_choices": (".jsonl", ".json", ".ndjson", ".csv"),
}


@dataclass
class InboxReport:
    """What one pass over the inbox did, per kind; counts and reasons only (no personal data)."""

    files: dict[str, int] = field(default_factory=dict)
    summaries: list[str] = field(default_factory=list)     # one report per file ingested
    failed_files: list[str] = field(default_factory=list)  # "kind/name: reason"
    quarantined: dict[str, int] = field(default_factory=dict)  # "kind/name" -> rows quarantined
    reviews_opened: int = 0         # review items the texts of this pass opened
    open_reviews: list[dict[str, Any]] = field(default_factory=list)  # the queue now (ReviewItem.public rows)

    @property
    def overdue_reviews(self) -> int:
        return sum(1 for r in self.open_reviews if r["overdue"])

    def __str__(self) -> str:
        queue = (f"; review queue: {len(self.open_reviews)} open, {self.overdue_reviews} overdue"
                 if self.open_reviews else "")
        if not self.files and not self.failed_files:
            return "inbox: nothing new" + queue
        done = ", ".join(f"{k} {v}" for k, v in self.files.items())
        return (f"inbox: {sum(self.files.values())} files ({done}), {sum(self.quarantined.values())} rows "
                f"quarantined, {len(self.failed_files)} could not be read, {self.reviews_opened} review items "
                f"opened" + queue)


def pending_files(inbox: Path, kind: str) -> list[Path]:
    """Complete files waiting in one drop folder, oldest name first."""
    folder = Path(inbox) / kind
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".")
                  and p.name.lower().removesuffix(".gz").endswith(KINDS[kind]))


def _move(path: Path, dest_dir: Path) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{path.name}"
    n = 1
    while dest.exists():
        dest = dest_dir / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{n}-{path.name}"
        n += 1
    shutil.move(str(path), dest)
    return dest


def _ingester(kind: str, cfg: LifecycleConfig) -> Callable[[duckdb.DuckDBPyConnection, Path], Any]:
    from loan_comms.arrangements.intake import ingest_arrangement_choices
    from loan_comms.inbound import email_ingest, events, receipts, replies
    from loan_comms.surveys import ingest_survey_answers

    ingesters: dict[str, Callable[[duckdb.DuckDBPyConnection, Path], Any]] = {
        "operator_events": lambda con, p: events.ingest_operator_events(con, p, cfg=cfg),
        "call_outcomes": events.ingest_call_outcomes,
        "receipts": lambda con, p: receipts.ingest_receipts(con, p),
        "replies": lambda con, p: replies.ingest_replies(con, cfg, p),
        "email_replies": lambda con, p: email_ingest.ingest_email_replies(con, cfg, p),
        "survey_answers": lambda con, p: ingest_survey_answers(con, p, page_files=True,
                                                               answer_days=cfg.surveys.answer_days),
        # the page's own folder: its records keep source 'web' (a file handed to the CLI cannot claim it)
        "arrangement_choices": lambda con, p: ingest_arrangement_choices(con, cfg, p, trusted_web=True),
    }
    return ingesters[kind]


def ingest_inbox(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, inbox: Path,
                 kinds: tuple[str, ...] = tuple(KINDS), log: Callable[[str], None] = print) -> InboxReport:
    """Ingest every complete file of each drop folder and move it to processed/ (or failed/)."""
    inbox = Path(inbox)
    report = InboxReport()
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"unknown inbox kind {kind!r}; expected one of {', '.join(KINDS)}")
        ingest = _ingester(kind, cfg)
        for path in pending_files(inbox, kind):
            try:
                result = ingest(con, path)
            except Exception as exc:  # unreadable file: keep it, say why, carry on with the rest
                said = f"{type(exc).__name__}: {exc}"
                if isinstance(exc, InboundFileError):   # already one line that names the problem
                    said = str(exc).removeprefix(f"{path}: ").removeprefix(f"{path.name}: ")
                reason = mask_pii(said)[:500]
                moved = _move(path, inbox / "failed" / kind)
                moved.with_name(moved.name + ".error.txt").write_text(reason + "\n", encoding="utf-8")
                report.failed_files.append(f"{kind}/{path.name}: {reason}")
                log(f"{kind}/{path.name} could not be ingested, moved to {moved.parent}: {reason}")
                continue
            _move(path, inbox / "processed" / kind)
            line = mask_pii(f"{kind}/{result}")
            report.files[kind] = report.files.get(kind, 0) + 1
            report.quarantined[f"{kind}/{path.name}"] = result.quarantined
            report.reviews_opened += int(getattr(result, "reviews_opened", 0))
            report.summaries.append(line)
            log(line)
    return report


@task(name="ingest-drop-folders", cache_policy=NO_CACHE, timeout_seconds=1800)
def ingest_drop_folders(db_path: str, inbox: str, config_path: str | None = None) -> InboxReport:
    """One pass over data/inbox/*: operator events, call outcomes, receipts, replies, e-mail replies,
    survey answers, plan choices, in that order; then the review queue as of now (no personal data), and,
    when a file landed, the survey page's token file and the plan page's offers re-exported beside the
    database (answered surveys and taken offers refused at once)."""
    from loan_comms.arrangements.web import export_offers, offers_file_for
    from loan_comms.surveys.web import export_tokens, tokens_file_for

    logger = get_run_logger()
    cfg = config(config_path)
    with open_db(db_path) as con:
        report = ingest_inbox(con, cfg, Path(inbox), log=logger.info)
        report.open_reviews = review_artifact_rows(open_reviews(con, utc_now()))
        if report.files:   # survey answers (page, file drop, or an SMS reply that is a score) may have landed
            export_tokens(con, tokens_file_for(db_path))
            export_offers(con, cfg.arrangements, offers_file_for(db_path))   # a choice (page, SMS) may have landed
    (logger.warning if report.failed_files else logger.info)("%s", report)
    return report
