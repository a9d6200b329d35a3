"""Did SendGrid get it? Reconciling an ambiguous e-mail send with SendGrid's Event Webhook.

SendGrid has no API that says whether a message exists (the Email Activity API is a paid add-on);
its Event Webhook does: a `processed` event carrying our attempt_id (custom_args) for every message
it took. Ingesting any event of a send resolves it (inbound/receipts.py). What is left here is a
send with no event at all, which is absent only if the webhook has caught up past it: it has
delivered events of things that happened after the request (sql/delivery/events_caught_up.sql).

When nothing has happened since (the last e-mail of a quiet hour), nothing proves the webhook is
caught up, and the send would stay unknown. With `canary_to` set (an address of the lender's own,
never a borrower's), reconciliation then sends one canary message through the same provider; its
events arriving prove the webhook has delivered everything before it. A canary is not sent again
while one is in flight (sent or unknown, unseen, within the wait and at least 30 s).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, Sequence

import duckdb

from loan_comms import db
from loan_comms.delivery.providers.base import OutMessage
from loan_comms.delivery.reconcile_model import Unresolved, Verdict

if TYPE_CHECKING:  # pragma: no cover
    from loan_comms.delivery.providers.sendgrid import SendGridProvider

log = logging.getLogger(__name__)

CANARY_PREFIX = "canary-"
CANARY_SUBJECT = "loan-comms delivery check"
CANARY_TEXT = ("A delivery check sent by loan-comms to its own address to confirm that SendGrid's event "
               "webhook is up to date. Nothing to do.")


def event_verdicts(con: duckdb.DuckDBPyConnection, provider: "SendGridProvider", kind: str, channel: str,
                   items: Sequence[Unresolved], wall_now: datetime) -> list[Verdict]:
    """One verdict per item from the events ingested so far; sends a canary when that is what is missing."""
    wait = provider.reconcile_after
    caught_up = dict(db.run(con, "delivery/events_caught_up", {
        "ids": [it.attempt_id for it in items], "provider": kind, "channel": channel}).fetchall())
    out, stuck = [], []
    for it in items:
        waited = (wall_now - it.requested_at).total_seconds()
        if waited < wait:
            out.append(Verdict(it.attempt_id, "uncertain", error=(
                f"outcome unknown: no {kind} event yet (concluded {wait:g}s after the request)")))
        elif caught_up.get(it.attempt_id):
            out.append(Verdict(it.attempt_id, "absent", error=(
                f"reconciled: no {kind} event for this send {waited:.0f}s after the request while requests "
                "made after it have theirs: SendGrid never took it; planned again (sent if its window allows)")))
        else:
            stuck.append(it)
            out.append(Verdict(it.attempt_id, "uncertain", error=(
                f"outcome unknown: no {kind} event for this send, and none from after it yet"
                + ("; a delivery check was sent" if provider.canary_to else
                   f" (set providers.{channel}.canary_to to prove the event webhook is up to date)"))))
    if stuck and provider.canary_to:
        send_canary(con, provider, kind, channel, max(it.requested_at for it in stuck), wall_now)
    return out


def send_canary(con: duckdb.DuckDBPyConnection, provider: "SendGridProvider", kind: str, channel: str,
                after: datetime, wall_now: datetime) -> str | None:
    """Send one canary unless one requested at or after `after` is in flight or seen; returns its id."""
    from loan_comms.delivery.aio import run_async

    due = db.value(con, "delivery/canary_due", {"provider": kind, "channel": channel, "requested_up_to": after,
                                                "wall_now": wall_now, "resend_seconds": max(provider.reconcile_after, 30.0)})
    if not due:
        return None
    canary_id = CANARY_PREFIX + uuid.uuid4().hex[:16]
    message = OutMessage(canary_id, canary_id, channel, provider.canary_to, CANARY_SUBJECT, CANARY_TEXT, None)
    requested_at = datetime.now(wall_now.tzinfo)
    results: list[Any] = run_async(provider.send([message]))
    outcome = results[0].outcome if results else "retry"
    db.run(con, "delivery/canary_insert", {"canary_id": canary_id, "provider": kind, "channel": channel,
                                           "requested_at": requested_at, "outcome": outcome})
    log.info("%s: sent a delivery check (%s) to prove the event webhook is up to date: %s", channel, canary_id, outcome)
    return canary_id
