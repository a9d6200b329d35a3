"""Failure alerts: a short JSON post to a webhook (Slack/Teams/PagerDuty bridge, or anything else).

Operations want to hear about a failed run, or a day where many contacts failed, without opening
the UI. The URL comes from LOAN_COMMS_ALERT_WEBHOOK_URL (or `[alerts].webhook_url` in the config
once the lead adds it); no URL means alerts are only logged. Alerts carry counts, flow and run
names and reasons, never names, phone numbers or e-mail addresses (masked if one slips in).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx

from loan_comms.masking import mask_pii

log = logging.getLogger(__name__)

URL_ENV = "LOAN_COMMS_ALERT_WEBHOOK_URL"
THRESHOLD_ENV = "LOAN_COMMS_ALERT_FAILURE_THRESHOLD"
DEFAULT_FAILURE_THRESHOLD = 100


@dataclass
class Alert:
    """One alert. `text` is a one-line human summary (Slack's incoming webhooks show it as is)."""

    kind: str                      # run_failed | failures_over_threshold | review_overdue | plan_review_overdue | ...
    flow: str
    text: str
    run: str | None = None
    as_of: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def payload(self) -> dict[str, Any]:
        data = asdict(self)
        data["text"] = f"[loan-comms] {self.text}"[:1500]
        return data


def _alerts_cfg(cfg: Any) -> Any:
    return getattr(cfg, "alerts", None) if cfg is not None else None


def webhook_url(cfg: Any = None) -> str | None:
    """Where alerts go: the environment first, then `[alerts].webhook_url` of the config, else None."""
    url = os.environ.get(URL_ENV) or getattr(_alerts_cfg(cfg), "webhook_url", None)
    return (url.strip() or None) if isinstance(url, str) else None


def failure_threshold(cfg: Any = None) -> int:
    """How many failed contacts in one day trigger an alert (env, then config, then 100)."""
    raw = os.environ.get(THRESHOLD_ENV)
    if raw:
        try:
            return max(0, int(raw))
        except ValueError:
            raise ValueError(f"{THRESHOLD_ENV}={raw!r}: must be a whole number of failed contacts") from None
    return int(getattr(_alerts_cfg(cfg), "failure_threshold", DEFAULT_FAILURE_THRESHOLD))


def post_alert(alert: Alert, url: str | None, *, timeout_s: float = 10.0, tries: int = 3,
               backoff_s: float = 1.0) -> bool:
    """POST the alert as JSON; True when the webhook accepted it (2xx). Never raises: an alert
    that cannot be delivered is logged, it must not turn a finished run into a failed one."""
    if not url:
        log.warning("alert (no webhook configured, set %s): %s", URL_ENV, alert.payload()["text"])
        return False
    body = alert.payload()
    for attempt in range(1, tries + 1):
        try:
            resp = httpx.post(url, json=body, timeout=timeout_s)
            if resp.status_code < 300:
                return True
            problem = f"HTTP {resp.status_code}"
            if 400 <= resp.status_code < 500 and resp.status_code != 429:
                break  # the webhook refuses this payload; retrying will not help
        except httpx.HTTPError as exc:
            problem = type(exc).__name__
        if attempt < tries:
            time.sleep(backoff_s * attempt)
    log.error("alert webhook did not accept the alert (%s): %s", problem, body["text"])
    return False


def run_failed_alert(flow: str, run: str | None, state_message: str | None, as_of: date | str | None = None) -> Alert:
    """The alert for a run that ended Failed or Crashed."""
    reason = mask_pii((state_message or "no message").splitlines()[0][:300])
    day = f" for {as_of}" if as_of else ""
    return Alert(kind="run_failed", flow=flow, run=run, as_of=str(as_of) if as_of else None,
                 text=f"{flow} run {run or '?'}{day} failed: {reason}")


def failures_alert(flow: str, run: str | None, as_of: date | str | None, failed: int, threshold: int,
                   reasons: dict[str, int] | None = None) -> Alert | None:
    """The alert for a day whose failed contacts exceed the threshold; None when under it."""
    if failed <= threshold:
        return None
    reasons = {mask_pii(str(k)): int(v) for k, v in (reasons or {}).items()}
    top = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1])[:3])
    return Alert(kind="failures_over_threshold", flow=flow, run=run, as_of=str(as_of) if as_of else None,
                 counts={"failed": failed, "threshold": threshold, "reasons": reasons},
                 text=f"{failed} contacts failed{' on ' + str(as_of) if as_of else ''} "
                      f"(threshold {threshold}){': ' + top if top else ''}")


def plan_reviews_alert(flow: str, run: str | None, as_of: date | str | None, waiting: int, overdue: int,
                       within_days: int) -> Alert | None:
    """The alert for repayment-plan requests past their review deadline; None when none is. Counts
    only: a request holds the ladder on its loans until a person decides, so a late one is a borrower
    left waiting and a ladder left held, never decided by itself."""
    if overdue <= 0:
        return None
    return Alert(kind="plan_review_overdue", flow=flow, run=run, as_of=str(as_of) if as_of else None,
                 counts={"overdue": overdue, "waiting": waiting, "review_within_days": within_days},
                 text=f"{overdue} repayment-plan request(s) past their review deadline ({within_days} days; "
                      f"{waiting} waiting): the ladder stays held on their loans until a person decides; "
                      "`loan-comms arrangements review`")
