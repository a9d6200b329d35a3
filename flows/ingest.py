"""The every-15-minutes deployment: what came back (operator events, call outcomes, receipts,
SMS replies) from the drop folders under data/inbox/ into the database.

It also publishes the review queue (artifact `review-queue`: public id, age, deadline, overdue,
channels paused, candidate intents; never a text, a name, an address or the real id, which for an
e-mail is its Message-ID: the public id is a hash of it that `loan-comms reviews resolve` accepts). An item past its deadline is a warning and
an alert, not a failure: the ingestion did its job, and the policy already treats the overdue item's
channel as opted out (the safe side); a person has to catch up on the queue.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from loan_comms.errors import LoanCommsError
from loan_comms.ops.alerting import Alert, post_alert, webhook_url
from loan_comms.paths import DEFAULT_DB
from loan_comms.ops.run_lock import exclusive_run
from tasks.arrangement_export import export_arrangement_records
from tasks.alerts import alert_on_failure
from tasks.common import config
from tasks.ingest import DEFAULT_INBOX, InboxReport, ingest_drop_folders


def overdue_alert(report: InboxReport) -> Alert | None:
    """The alert for review items past their deadline (public ids and counts only), or None."""
    late = [r for r in report.open_reviews if r["overdue"]]
    if not late:
        return None
    ids = ", ".join(str(r["review_id"]) for r in late[:5]) + (" ..." if len(late) > 5 else "")
    return Alert(kind="review_overdue", flow="ingest-inbox",
                 counts={"overdue": len(late), "open": len(report.open_reviews)},
                 text=f"{len(late)} review item(s) past their deadline ({ids}): their channel is paused as an "
                      "opt-out until resolved; `loan-comms reviews list`")


def _markdown(report: InboxReport, inbox: str) -> str:
    lines = ["# Inbox ingestion", "", f"{report} (from `{inbox}`).", ""]
    if report.open_reviews:
        lines += [f"Review queue: {len(report.open_reviews)} open, {report.overdue_reviews} past their deadline "
                  "(artifact `review-queue`).", ""]
    lines += [f"- {s.splitlines()[0]}" for s in report.summaries]
    bad = {f: n for f, n in report.quarantined.items() if n}
    if bad:
        lines += ["", "## Rows quarantined (in import_quarantine, by file; fix and re-drop the file)", "",
                  "| file | rows quarantined |", "|---|---|"]
        lines += [f"| {f} | {n} |" for f, n in bad.items()]
    if report.failed_files:
        lines += ["", "## Files that could not be read (moved to inbox/failed/)", ""]
        lines += [f"- {f}" for f in report.failed_files]
    return "\n".join(lines) + "\n"


@flow(name="ingest-inbox", on_failure=[alert_on_failure], on_crashed=[alert_on_failure], timeout_seconds=1800)
def ingest_inbox(inbox: str = str(DEFAULT_INBOX), db_path: str = str(DEFAULT_DB), config_path: str | None = None,
                 lock_timeout_s: float = 600) -> dict:
    """Ingest every complete file in the drop folders, then move it to inbox/processed/. A file that
    cannot be read at all goes to inbox/failed/ with its reason, and the run ends Failed (alert).

    Args:
        inbox: The drop-folder root (subfolders operator_events, call_outcomes, receipts, replies).
        db_path: The DuckDB file of the loan book.
        config_path: The lifecycle config file. Empty: config/lifecycle.toml (or $LOAN_COMMS_CONFIG).
        lock_timeout_s: How long to wait for another run that holds the database before giving up.
    """
    logger = get_run_logger()
    with exclusive_run(db_path, "ingest-inbox", timeout_s=lock_timeout_s, on_wait=logger.warning):
        report = ingest_drop_folders(db_path, inbox, config_path)
        export_arrangement_records(db_path, config_path, None, "ingest-inbox")   # choices landed: plans accepted
    create_markdown_artifact(key="ingest-summary", markdown=_markdown(report, inbox),
                             description="what the last ingestion picked up")
    create_table_artifact(key="review-queue", table=report.open_reviews or [{"review_id": "(none open)"}],
                          description=f"open review items: {len(report.open_reviews)}, "
                                      f"{report.overdue_reviews} overdue (no personal data)")
    if (alert := overdue_alert(report)) is not None:
        logger.warning("%s", alert.text)
        post_alert(alert, webhook_url(config(config_path)))
    if report.failed_files:   # the readable files landed; the run still fails, so the alert goes out
        raise UnreadableInboxFiles(
            f"{len(report.failed_files)} inbox file(s) could not be read and were moved to inbox/failed/ "
            f"(first: {report.failed_files[0]}); fix them and drop them again")
    return {"files": dict(report.files), "failed_files": len(report.failed_files),
            "reviews_opened": report.reviews_opened, "reviews_open": len(report.open_reviews),
            "reviews_overdue": report.overdue_reviews}


class UnreadableInboxFiles(LoanCommsError):
    """Some dropped files could not be read at all (encoding, truncation); their reason is beside them."""
