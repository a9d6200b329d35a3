"""The hourly deployment: send every planned contact whose borrower's window is open right now.

Hourly, on the wall clock, so each borrower hears from us inside their own local contact window;
what the borrower did since planning (paid, opted out...) is re-checked just before sending.
"""

from __future__ import annotations

from datetime import datetime

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from loan_comms.ops.alerting import failure_threshold, failures_alert, post_alert, webhook_url
from loan_comms.paths import DEFAULT_DB
from loan_comms.ops.run_lock import exclusive_run
from tasks.alerts import _cfg_or_none, alert_on_failure
from loan_comms.calls.dialer import DialerPushFailed
from loan_comms.delivery.dispatch import DispatchReport
from loan_comms.delivery.providers.errors import DeliveryHalted
from loan_comms.ops.report import dispatch_markdown
from tasks.call_queue import sync_dialer
from tasks.dispatch import send_due_contacts


def _publish(report: DispatchReport) -> None:
    create_markdown_artifact(key="dispatch-summary", markdown=dispatch_markdown(report),
                             description=f"dispatch at {report.now:%Y-%m-%d %H:%M} UTC")


@flow(name="dispatch-open-windows", on_failure=[alert_on_failure], on_crashed=[alert_on_failure],
      timeout_seconds=3500)
def dispatch_open_windows(now: datetime | None = None, dry_run: bool = False, db_path: str = str(DEFAULT_DB),
                          config_path: str | None = None, batch_size: int | None = None,
                          lock_timeout_s: float = 1800) -> dict:
    """Send what is due now, in batches, with a progress artifact; alert when many fail.

    Args:
        now: The instant to dispatch at (UTC). Empty: the wall clock. Only for catching up a
            missed hour; contacts whose window has passed are marked window_missed, never sent late.
        dry_run: Count what would go now and send nothing.
        db_path: The DuckDB file of the loan book.
        config_path: The lifecycle config file. Empty: config/lifecycle.toml (or $LOAN_COMMS_CONFIG).
        batch_size: Contacts per provider batch. Empty: [dispatch].batch_size of the config.
        lock_timeout_s: How long to wait for another run that holds the database before giving up.
    """
    logger = get_run_logger()
    with exclusive_run(db_path, "dispatch", timeout_s=lock_timeout_s, on_wait=logger.warning):
        try:
            report = send_due_contacts(db_path, now, config_path, dry_run, batch_size)
        except DeliveryHalted as exc:  # the pass's counts for the UI, then the run fails (alert)
            if exc.report is not None:
                _publish(exc.report)
            raise
        dialer_failed: Exception | None = None
        if not dry_run:   # a call the re-check just suppressed is cancelled at the dialer (none: no-op)
            try:
                sync_dialer(db_path, now, config_path)
            except DialerPushFailed as exc:   # after this pass's own report: then the run fails, loud
                dialer_failed = exc
    _publish(report)
    failed = sum(report.failed.values())
    cfg = _cfg_or_none(config_path)
    alert = failures_alert("dispatch-open-windows", None, None, failed, failure_threshold(cfg),
                           dict(report.failure_reasons))
    if alert:
        logger.warning("%d contacts failed in this pass; alerting", failed)
        post_alert(alert, webhook_url(cfg))
    if dialer_failed is not None:
        raise dialer_failed
    return report.as_dict()
