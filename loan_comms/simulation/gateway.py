"""The simulator through real HTTP: a local honest gateway, the callback receiver, faults, a count.

`loan-comms simulate --gateway` sends every SMS and e-mail of the simulation over HTTP to the fake
gateway (Twilio and SendGrid wire shapes, no deduplication, as the real providers), which injects
faults at the asked rate (errors, 429s, resets, answers lost after it accepted, answers too late,
a proxy's 502 after it accepted), posts Twilio status callbacks and SendGrid events to the callback
receiver, which writes them to the inbox like in production; before each dispatch pass the
simulated day lands those receipts, so reconciliation sees what the provider reported.

At the end the gateway, not loan-comms, says how many messages each contact got (`GatewayCount`):
a duplicate is a contact the gateway holds twice; a lost contact is one the log records as sent
that the gateway never got, or one the gateway holds that the log does not record as sent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from loan_comms import db

AMBIGUOUS_AND_TRANSIENT = ("500", "503", "429", "reset", "slow", "lost", "accepted_502")
_SID, _TOKEN, _KEY = "ACsimulated0000000000000000000000", "simulated-auth-token", "SG.simulated-key"


@dataclass
class GatewayCount:
    """The gateway's own count of what each contact got, against the log."""

    messages: int           # accepted by the gateway for contacts (delivery checks apart)
    contacts: int           # distinct contacts the gateway holds a message for
    duplicates: int         # messages beyond the first for a contact
    recorded_not_received: int   # the log says sent (known outcome), the gateway has nothing
    received_not_recorded: int   # the gateway holds it, the log does not say sent
    still_unknown: int      # sent with an unknown outcome at the end (reconciliation not concluded)
    lost_unsent: int        # tried, never reached the gateway, window closed
    requests: int
    lookups: int
    faults: dict[str, int]
    callbacks: int
    delivery_checks: int = 0    # canaries to the lender's own address (sendgrid_events.py), not contacts

    @property
    def exactly_once(self) -> bool:
        return not (self.duplicates or self.recorded_not_received or self.received_not_recorded
                    or self.still_unknown or self.lost_unsent)

    def __str__(self) -> str:
        faults = sum(self.faults.values())
        verdict = "EXACTLY ONCE" if self.exactly_once else "NOT EXACTLY ONCE"
        return (f"gateway count: {verdict}: {self.messages} messages for {self.contacts} contacts, "
                f"{self.duplicates} duplicates, {self.recorded_not_received} recorded as sent but never received, "
                f"{self.received_not_recorded} received but not recorded as sent, {self.still_unknown} still unknown, "
                f"{self.lost_unsent} tried but never received before their window closed; "
                f"{self.requests} send requests with {faults} faults injected "
                f"({', '.join(f'{k} {v}' for k, v in sorted(self.faults.items()))}), {self.lookups} reconciliation "
                f"lookups, {self.delivery_checks} delivery checks, {self.callbacks} callbacks posted")


class LocalGateway:
    """The fake gateway and the callback receiver on 127.0.0.1, and the environment that points
    dispatch at them (restored on close)."""

    def __init__(self, workdir: Path, *, fault_rate: float = 0.2, seed: int = 7,
                 kinds: tuple[str, ...] = AMBIGUOUS_AND_TRANSIENT, timeout_seconds: float = 0.5,
                 reconcile_after_seconds: float = 4.0) -> None:
        from loan_comms.delivery.fake_gateway import FakeGateway
        from loan_comms.inbound.callbacks import CallbackServer

        self.inbox = Path(workdir) / "inbox"
        self.receiver = CallbackServer(self.inbox, flush_seconds=0.2, twilio_auth_token=_TOKEN)
        self.receiver.public_url = self.receiver.url
        self.gateway = FakeGateway(twilio_auth=(_SID, _TOKEN), sendgrid_key=_KEY,
                                   events_url=f"{self.receiver.url}/sendgrid/events")
        self.gateway.inject(rate=fault_rate, kinds=list(kinds), seed=seed, retry_after="0",
                            slow_seconds=timeout_seconds * 1.6, deliver_after=0.05)
        # Faults at this rate make a short pass fail whole now and then: not an outage to halt for.
        # The gateway and the receiver share this process (and 2 cores) with the simulation, so a
        # request can be handled, or its events posted, seconds after the client gave up on it: the
        # reconcile wait must exceed that, as production's defaults (300 s, 900 s) exceed a provider's.
        settings = {"timeout_seconds": timeout_seconds, "reconcile_after_seconds": reconcile_after_seconds,
                    "outage_min_tries": 12, "outage_after": 12,
                    "backoff_base_seconds": 0.01, "backoff_max_seconds": 0.05, "max_in_flight": 16, "per_client": 8}
        self._env = {"TWILIO_ACCOUNT_SID": _SID, "TWILIO_AUTH_TOKEN": _TOKEN, "TWILIO_FROM_NUMBER": "+12025550100",
                     "SENDGRID_API_KEY": _KEY, "SENDGRID_FROM_EMAIL": "collections@lender.example",
                     "LOAN_COMMS_SMS_SETTINGS": json.dumps(settings),
                     "LOAN_COMMS_EMAIL_SETTINGS": json.dumps({**settings, "canary_to": "delivery-checks@lender.example"})}
        self._saved: dict[str, str | None] = {}

    def start(self) -> "LocalGateway":
        self.receiver.start()
        self.gateway.start()
        self._env.update({"LOAN_COMMS_SMS_BASE_URL": self.gateway.url, "LOAN_COMMS_EMAIL_BASE_URL": self.gateway.url,
                          "LOAN_COMMS_STATUS_CALLBACK_URL": f"{self.receiver.url}/twilio/status"})
        for k, v in self._env.items():
            self._saved[k] = os.environ.get(k)
            os.environ[k] = v
        return self

    def stop(self) -> None:
        for k, v in self._saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self.gateway.stop()
        self.receiver.stop()

    def count(self, con: duckdb.DuckDBPyConnection) -> GatewayCount:
        """The gateway's count of messages per contact, held against the log (sql/simulation/gateway_count.sql)."""
        from loan_comms.delivery.providers.sendgrid_events import CANARY_PREFIX

        stats = self.gateway.stats(full=True)
        checks = {a: ids for a, ids in stats["by_attempt"].items() if a.startswith(CANARY_PREFIX)}
        rows = [{"attempt_id": a, "messages": len(ids)} for a, ids in stats["by_attempt"].items() if a not in checks]
        table = pa.Table.from_pylist(rows, schema=pa.schema([("attempt_id", pa.string()), ("messages", pa.int64())]))
        with db.registered(con, table, "_gateway_messages"):
            got: dict[str, Any] = db.rows(con, "simulation/gateway_count")[0]
        return GatewayCount(messages=sum(r["messages"] for r in rows), contacts=len(rows),
                            duplicates=sum(r["messages"] - 1 for r in rows), delivery_checks=len(checks),
                            recorded_not_received=int(got["recorded_not_received"]),
                            received_not_recorded=int(got["received_not_recorded"]),
                            still_unknown=int(got["still_unknown"]), lost_unsent=int(got["lost_unsent"]),
                            requests=stats["requests"],
                            lookups=stats["lookups"], faults=stats["faults_injected"],
                            callbacks=stats["callbacks_posted"])


@contextmanager
def local_gateway(workdir: Path, **kw: Any) -> Iterator[LocalGateway]:
    gw = LocalGateway(workdir, **kw).start()
    try:
        yield gw
    finally:
        gw.stop()
