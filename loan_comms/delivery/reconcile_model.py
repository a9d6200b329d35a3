"""What reconciliation works on and concludes (shared by the orchestrator and each provider's lookup)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

VerdictKind = Literal["found", "absent", "uncertain"]


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A contact sent with an unknown outcome: what we asked the provider to send, and when (wall clock)."""

    attempt_id: str
    recipient: str | None
    subject: str | None
    body_text: str | None
    requested_at: datetime
    send_before: datetime | None
    account: str | None = None      # the provider account the request went to (Twilio's account SID)

    def __repr__(self) -> str:  # recipients and wording are PII: never printed
        return f"Unresolved({self.attempt_id}, requested {self.requested_at:%Y-%m-%d %H:%M:%S})"


@dataclass(frozen=True, slots=True)
class Verdict:
    """found: the provider has it (its id; a final status when it shows one); absent: it has no
    such message after the wait, so the contact is planned again; uncertain: no conclusion yet."""

    attempt_id: str
    verdict: VerdictKind
    provider_message_id: str | None = None
    status: str | None = None       # 'delivered' | 'failed' when the provider already shows it
    error: str | None = None
