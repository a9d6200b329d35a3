"""The provider contract: a batch of messages in, one result per message out.

Providers never touch contact_attempts; dispatch writes results back in one transaction per
batch. A provider that must persist inside that same transaction implements `persist` (Twilio's
opt-outs); the local outbox takes the batch as one Arrow table (TableProvider) and stores it with
one INSERT in that transaction, which is what makes it exactly-once without any network at all.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol, Sequence, runtime_checkable

import pyarrow as pa

from loan_comms.masking import mask_pii

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from loan_comms.config import LifecycleConfig, ProviderConfig

WORK_ITEM_CHANNELS: tuple[str, ...] = ("call", "letter", "visit")
_SHAPE_BY_CHANNEL = {"sms": "twilio", "email": "sendgrid"}
Outcome = Literal["sent", "failed", "retry", "unknown"]


@dataclass(frozen=True, slots=True)
class OutMessage:
    """One planned contact, ready to leave: recipient resolved from borrowers at send time."""

    attempt_id: str
    idempotency_key: str
    channel: str
    recipient: str | None
    subject: str | None
    body_text: str | None
    body_html: str | None

    def __repr__(self) -> str:  # recipients are PII: never printed
        return f"OutMessage({self.attempt_id}, {self.channel}, to={mask_pii(self.recipient or '')})"


@dataclass(frozen=True, slots=True)
class SendResult:
    """What happened to one message: sent (with the provider's id), failed (permanent), retry
    (certainly not sent: stays planned) or unknown (may have reached the provider: recorded as
    sent with outcome_unknown, never re-sent blindly)."""

    attempt_id: str
    outcome: Outcome
    provider_message_id: str | None = None
    error: str | None = None
    tries: int = 1


@runtime_checkable
class Provider(Protocol):
    """Sends a batch; must return exactly one SendResult per message, never raise per message."""

    name: str

    async def send(self, messages: Sequence[OutMessage]) -> list[SendResult]: ...

    def persist(self, con: "duckdb.DuckDBPyConnection", messages: Sequence[OutMessage],
                results: Sequence[SendResult], now: datetime) -> None:
        """Called inside dispatch's write-back transaction; most providers have nothing to do."""


# One row per contact of a batch: what dispatch writes back (sql/delivery/apply_results.sql).
RESULTS_SCHEMA = pa.schema([
    ("attempt_id", pa.string()), ("channel", pa.string()), ("outcome", pa.string()), ("provider", pa.string()),
    ("provider_message_id", pa.string()), ("error", pa.string()), ("tries", pa.int32()),
])


@runtime_checkable
class TableProvider(Protocol):
    """A local provider that takes a whole batch at once as an Arrow table (the outbox): its send and
    what it stores are set-based, with no Python object per message. The batch has due_batch.sql's
    columns; results are one row per batch row, in RESULTS_SCHEMA."""

    name: str

    def send_table(self, batch: pa.Table) -> pa.Table: ...

    def persist_table(self, con: "duckdb.DuckDBPyConnection", batch: pa.Table, results: pa.Table,
                      now: datetime) -> None:
        """Called inside dispatch's write-back transaction, like Provider.persist."""


AnyProvider = Provider | TableProvider


def effective_provider_config(channel: str, cfg: "LifecycleConfig") -> "ProviderConfig":
    """The channel's provider settings as dispatch will use them (config, then env overrides).

    LOAN_COMMS_<CHANNEL>_SETTINGS, a JSON object, adds to or overrides the channel's settings
    (timeout_seconds, reconcile_after_seconds, rate_per_second...): a deployment, or the simulator's
    local gateway, tunes transport without editing the lifecycle file."""
    pcfg = cfg.provider(channel)
    env = os.environ
    extra_json = env.get(f"LOAN_COMMS_{channel.upper()}_SETTINGS")
    if extra_json:
        from loan_comms.delivery.providers.http import ProviderConfigError

        try:
            extra = json.loads(extra_json)
        except ValueError:
            extra = None
        if not isinstance(extra, dict):
            raise ProviderConfigError(f"LOAN_COMMS_{channel.upper()}_SETTINGS: must be a JSON object of "
                                      f"[providers.{channel}] settings, e.g. {{\"timeout_seconds\": 5}}")
        from pydantic import ValidationError

        try:
            pcfg = type(pcfg).model_validate({**pcfg.model_dump(), **extra})
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ProviderConfigError(f"LOAN_COMMS_{channel.upper()}_SETTINGS: "
                                      f"{'.'.join(str(x) for x in first['loc'])}: {first['msg']}") from None
    if (pcfg.kind == "outbox" and env.get(f"LOAN_COMMS_{channel.upper()}_BASE_URL")
            and not env.get(f"LOAN_COMMS_{channel.upper()}_PROVIDER") and channel in _SHAPE_BY_CHANNEL):
        # Pointing LOAN_COMMS_SMS_BASE_URL / _EMAIL_BASE_URL at a gateway is enough to deliver there.
        pcfg = pcfg.model_copy(update={"kind": _SHAPE_BY_CHANNEL[channel]})
    return pcfg


def build_provider(channel: str, cfg: "LifecycleConfig") -> AnyProvider:
    """The provider a channel's messages go to (kind from config, env vars override)."""
    from loan_comms.delivery.providers.outbox import OutboxProvider

    if channel in WORK_ITEM_CHANNELS:
        return OutboxProvider()
    pcfg = effective_provider_config(channel, cfg)
    kind = pcfg.kind
    if kind == "outbox":
        return OutboxProvider()
    if kind == "twilio":
        from loan_comms.delivery.providers.twilio import TwilioProvider

        return TwilioProvider.from_config(channel, pcfg)
    if kind == "sendgrid":
        from loan_comms.delivery.providers.sendgrid import SendGridProvider

        return SendGridProvider.from_config(channel, pcfg)
    if kind == "webhook":
        from loan_comms.delivery.providers.webhook import WebhookProvider

        return WebhookProvider.from_config(channel, pcfg)
    raise ValueError(f"providers.{channel}.kind: unknown provider kind {kind!r}")
