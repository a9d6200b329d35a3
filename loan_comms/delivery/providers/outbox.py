"""The local outbox: messages land in DuckDB's outbox_messages, nothing leaves the machine.

The insert happens in the same transaction that marks the contacts sent, and the table is keyed
by idempotency_key, so a re-run after a crash is a no-op: exactly once without a network. A batch
is one Arrow table in and one INSERT out (a TableProvider): a day's outbox of 240k contacts costs
no Python per message.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from loan_comms import db
from loan_comms.delivery.providers.base import RESULTS_SCHEMA

_STORED = ["idempotency_key", "attempt_id", "channel", "recipient", "subject", "body_text", "body_html"]


class OutboxProvider:
    """Accepts everything; the message id is derived from the attempt so re-runs agree."""

    name = "outbox"

    def send_table(self, batch: pa.Table) -> pa.Table:
        """Every message of the batch accepted, with id outbox-<attempt_id>."""
        n = batch.num_rows
        return pa.table({
            "attempt_id": batch["attempt_id"], "channel": batch["channel"],
            "outcome": pa.array(["sent"] * n, pa.string()), "provider": pa.array([self.name] * n, pa.string()),
            "provider_message_id": pc.binary_join_element_wise("outbox-", batch["attempt_id"], ""),
            "error": pa.nulls(n, pa.string()), "tries": pa.array([1] * n, pa.int32()),
        }, schema=RESULTS_SCHEMA)

    def persist_table(self, con: duckdb.DuckDBPyConnection, batch: pa.Table, results: pa.Table,
                      now: datetime) -> None:
        """The accepted messages into outbox_messages (sql/delivery/outbox_insert.sql), in one INSERT."""
        sent = pc.equal(results["outcome"], "sent")
        rows = batch.select(_STORED).append_column("provider_message_id", results["provider_message_id"]).filter(sent)
        if rows.num_rows:
            with db.registered(con, rows, "_outbox_batch"):
                db.run(con, "delivery/outbox_insert", {"now": now})
