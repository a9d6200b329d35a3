"""Reconciliation: settle every send whose outcome is unknown with the provider, before any new try.

Real providers (Twilio Messages, SendGrid mail/send) do not deduplicate, so a request that may have
arrived (no answer in time, the connection lost after sending, a 5xx, a pass that died in flight)
is never simply sent again. Each pass of dispatch first asks the provider about its unknown sends:

- Twilio: the Message list, by number (providers/twilio_lookup.py);
- SendGrid: its Event Webhook. A `processed` (or any) event carrying our attempt_id resolves the
  send when receipts are ingested (inbound/receipts.py); here, a send with no event while events
  for later sends have arrived is one SendGrid never took (sql/delivery/events_caught_up.sql);
- other providers (the JSON webhook) cannot be asked: their unknown sends stay unknown (at most once).

Found: the contact keeps its send, with the provider's id. Absent after `reconcile_after_seconds`
(wall clock, from the request): back to planned, and the pass sends it again if the re-check still
allows it inside its window. Otherwise: still unknown, counted as sent, asked again next pass.
The guarantee and its residual risk are in docs/delivery.md ("Exactly once").
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Callable

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.delivery.reconcile_model import Unresolved, Verdict

log = logging.getLogger(__name__)

RECONCILABLE = ("twilio", "sendgrid")     # providers that can tell whether they have a message
_BATCH = 5_000
_SCHEMA = pa.schema([("attempt_id", pa.string()), ("verdict", pa.string()), ("provider_message_id", pa.string()),
                     ("status", pa.string()), ("error", pa.string())])


@dataclass
class ReconcileReport:
    """What one reconciliation did, by channel: found at the provider, sent again, still unknown."""

    found: Counter[str] = field(default_factory=Counter)
    resent: Counter[str] = field(default_factory=Counter)        # absent: planned again
    unknown: Counter[str] = field(default_factory=Counter)       # no conclusion yet
    skipped: dict[str, str] = field(default_factory=dict)        # channel -> why it could not be asked

    def __bool__(self) -> bool:
        return bool(self.found or self.resent or self.unknown or self.skipped)

    def as_dict(self) -> dict[str, Any]:
        return {"found": dict(self.found), "resent": dict(self.resent), "unknown": dict(self.unknown),
                "skipped": dict(self.skipped)}

    def __str__(self) -> str:
        def n(c: Counter[str]) -> int:
            return sum(c.values())
        s = f"reconciled {n(self.found)} found at the provider, {n(self.resent)} to send again, {n(self.unknown)} still unknown"
        if self.skipped:
            s += "; not asked: " + "; ".join(f"{ch} ({why})" for ch, why in sorted(self.skipped.items()))
        return s


def reconcile_unknown(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, now: datetime, *,
                      day: Any = None, wall_now: Callable[[], datetime] | None = None) -> ReconcileReport:
    """Ask each channel's provider about its unknown sends and record the verdicts (one transaction
    per batch). `now` is the pass instant (the log's clock); the wait is judged on `wall_now`, the
    clock the provider keeps. `day`: only that local day's contacts (a simulated day's pass)."""
    from loan_comms.delivery.providers.base import build_provider, effective_provider_config
    from loan_comms.delivery.providers.http import ProviderConfigError
    from loan_comms.delivery.providers.secrets import MissingSecret

    report = ReconcileReport()
    clock = wall_now or (lambda: datetime.now(UTC))
    for channel in ("sms", "email"):
        kind = effective_provider_config(channel, cfg).kind
        if kind not in RECONCILABLE:
            continue
        rows = db.rows(con, "delivery/unknown_sends", {"provider": kind, "channel": channel, "limit": _BATCH,
                                                        "day": day})
        if not rows:
            continue
        try:
            provider: Any = build_provider(channel, cfg)
        except (ProviderConfigError, MissingSecret) as exc:   # dispatch halts the channel, loudly
            report.skipped[channel] = f"{kind} not configured: {exc}"
            report.unknown[channel] += len(rows)
            continue
        items = [Unresolved(r["attempt_id"], r["recipient"], r["subject"], r["body_text"],
                            _aware(r["requested_at"]), r["send_before"], r["send_account"]) for r in rows]
        verdicts = _verdicts(con, provider, kind, channel, items, clock())
        _apply(con, now, verdicts)
        for v in verdicts:
            {"found": report.found, "absent": report.resent, "uncertain": report.unknown}[v.verdict][channel] += 1
    if report:
        log.info("%s", report)
    return report


def seconds_until_conclusive(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: Any, *,
                             wall_now: datetime | None = None) -> float:
    """How long (wall clock) until reconciliation can conclude about every unknown send of day
    `as_of` (its latest request plus the provider's wait); 0 when nothing waits. A simulated day,
    whose passes follow each other within seconds, sleeps that long before passing again, so a send
    the provider never got is sent again inside its window instead of staying unknown."""
    from loan_comms.delivery.providers.base import build_provider, effective_provider_config

    now = wall_now or datetime.now(UTC)
    longest = 0.0
    for channel in ("sms", "email"):
        kind = effective_provider_config(channel, cfg).kind
        if kind not in RECONCILABLE:
            continue
        latest = db.value(con, "delivery/unknown_latest_request", {"as_of": as_of, "provider": kind, "channel": channel})
        if latest is None:
            continue
        try:
            wait = build_provider(channel, cfg).reconcile_after  # type: ignore[union-attr]
        except Exception:   # not configured: the pass halts the channel, loudly; nothing to wait for
            continue
        longest = max(longest, (_aware(latest) - now).total_seconds() + wait)
    return max(0.0, longest)


def _verdicts(con: duckdb.DuckDBPyConnection, provider: Any, kind: str, channel: str, items: list[Unresolved],
              wall_now: datetime) -> list[Verdict]:
    wait = provider.reconcile_after
    if kind == "twilio":
        from loan_comms.delivery.aio import run_async
        from loan_comms.delivery.providers.twilio_lookup import TwilioLookup

        lookup = TwilioLookup(provider)
        listings = run_async(lookup.listings(items))
        ids = [str(m["sid"]) for listed in listings.values() if not isinstance(listed, str) for m in listed]
        known = {r[0] for r in db.run(con, "delivery/known_message_ids", {"ids": ids}).fetchall()} if ids else set()
        return lookup.verdicts(items, listings, known, wall_now, wait)
    from loan_comms.delivery.providers.sendgrid_events import event_verdicts

    return event_verdicts(con, provider, kind, channel, items, wall_now)


def _apply(con: duckdb.DuckDBPyConnection, now: datetime, verdicts: list[Verdict]) -> None:
    table = pa.Table.from_pylist([dict(attempt_id=v.attempt_id, verdict=v.verdict,
                                       provider_message_id=v.provider_message_id, status=v.status, error=v.error)
                                  for v in verdicts], schema=_SCHEMA)
    with db.transaction(con), db.registered(con, table, "_reconciled"):
        db.run(con, "delivery/reconcile_apply", {"now": now})


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)
