"""The local outbox: messages land in DuckDB's outbox_messages, nothing leaves the machine.

The insert happens in the same transaction that marks the contacts sent, and the table is keyed
by idempotency_key, so a re-run after a crash is a no-op: exactly once without a network.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.delivery.providers.base import OutMessage, SendResult

_SCHEMA = pa.schema([
    ("idempotency_key", pa.string()), ("attempt_id", pa.string()), ("channel", pa.string()),
    ("recipient", pa.string()), ("subject", pa.string()), ("body_text", pa.string()),
    ("body_html", pa.string()), ("provider_message_id", pa.string()),
])


class OutboxProvider:
    """Accepts everything; the message id is derived from the attempt so re-runs agree."""

    name = "outbox"

    async def send(self, messages: Sequence[OutMessage]) -> list[SendResult]:
        return [SendResult(m.attempt_id, "sent", provider_message_id=f"outbox-{m.attempt_id}") for m in messages]

    def persist(self, con: duckdb.DuckDBPyConnection, messages: Sequence[OutMessage],
                results: Sequence[SendResult], now: datetime) -> None:
        by_id = {r.attempt_id: r for r in results if r.outcome == "sent"}
        rows = [dict(idempotency_key=m.idempotency_key, attempt_id=m.attempt_id, channel=m.channel,
                     recipient=m.recipient, subject=m.subject, body_text=m.body_text, body_html=m.body_html,
                     provider_message_id=by_id[m.attempt_id].provider_message_id)
                for m in messages if m.attempt_id in by_id]
        if not rows:
            return
        with db.registered(con, pa.Table.from_pylist(rows, schema=_SCHEMA), "_outbox_batch"):
            db.run(con, "delivery/outbox_insert", {"now": now})
