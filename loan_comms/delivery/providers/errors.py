"""DeliveryHalted: a channel's provider cannot be used this pass, said in one line.

Failures are loud. Bad credentials (401/403), a provider that is not configured (no sender, no
secret, a base URL that is not an endpoint) and an outage (nothing got through) are not the
borrower's fault and will not get better by retrying each message: dispatch stops the channel,
leaves its contacts planned, and raises this so the CLI exits non-zero, the flow run ends Failed
and the failure alert goes out. The message names the channel, the provider, the HTTP status and
what to check; never a secret, a recipient or message text.
"""

from __future__ import annotations

from typing import Any, Literal

from loan_comms.errors import LoanCommsError

Why = Literal["auth", "config", "outage", "rejected"]


class DeliveryHalted(LoanCommsError, RuntimeError):
    """One channel (or several, joined) stopped for the rest of a dispatch pass; str() is one line.

    `report` is the DispatchReport of the pass once dispatch has finished it (None before).
    """

    def __init__(self, message: str, *, channel: str, provider: str, why: Why, status: int | None = None) -> None:
        super().__init__(" ".join(message.split()))
        self.channel, self.provider, self.why, self.status = channel, provider, why, status
        self.report: Any = None

    @property
    def message(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:
        """Picklable with its fields (Prefect may persist a failed task's exception)."""
        return (_restore, (self.message, self.channel, self.provider, self.why, self.status, self.report))


def _restore(message: str, channel: str, provider: str, why: Why, status: int | None, report: Any) -> DeliveryHalted:
    exc = DeliveryHalted(message, channel=channel, provider=provider, why=why, status=status)
    exc.report = report
    return exc


def credentials_refused(channel: str, provider: str, status: int, hint: str) -> DeliveryHalted:
    """401/403: the provider does not accept our credentials."""
    return DeliveryHalted(f"{channel} provider {provider} refused our credentials ({status}): check {hint}",
                          channel=channel, provider=provider, why="auth", status=status)


def no_such_endpoint(channel: str, provider: str, status: int) -> DeliveryHalted:
    """404/405 on the send endpoint: the base URL points at something that is not this provider."""
    return DeliveryHalted(
        f"{channel} provider {provider} has no send endpoint at the configured address ({status}): check "
        f"providers.{channel}.base_url / LOAN_COMMS_{channel.upper()}_BASE_URL",
        channel=channel, provider=provider, why="config", status=status)


def not_configured(channel: str, provider: str, problem: str) -> DeliveryHalted:
    """A setting or secret the provider needs is missing or unusable (raised before any send)."""
    return DeliveryHalted(f"{channel} provider {provider} is not configured: {problem}",
                          channel=channel, provider=provider, why="config")


def outage(channel: str, provider: str, tries: int, last: str, status: int | None) -> DeliveryHalted:
    """Nothing got through: every try failed to connect, timed out, was reset or answered 5xx."""
    code = f" ({status})" if status else ""
    return DeliveryHalted(
        f"{channel} provider {provider} is down{code}: {tries} tries in a row got nothing through (last: {last}); "
        f"stopped {channel} for this pass, unsent contacts stay planned: check the provider's status "
        f"and providers.{channel}.base_url",
        channel=channel, provider=provider, why="outage", status=status)


def rejecting_everything(channel: str, provider: str, count: int, last: str) -> DeliveryHalted:
    """Every message of the pass refused with a 4xx and none accepted: the problem is ours (a wrong
    sender number, a suspended account, a malformed request), not each borrower's."""
    return DeliveryHalted(
        f"{channel} provider {provider} refused every message of this pass ({count} in a row, none accepted; "
        f"last: {last}): check the sender (from number or address), the account and "
        f"providers.{channel}; the refused ones are failed, the rest stay planned",
        channel=channel, provider=provider, why="rejected")


def combine(halts: list[DeliveryHalted]) -> DeliveryHalted:
    """Several channels halted in one pass: one exception, one line, the first one's fields."""
    if len(halts) == 1:
        return halts[0]
    first = halts[0]
    return DeliveryHalted("; ".join(h.message for h in halts), channel=first.channel,
                          provider=first.provider, why=first.why, status=first.status)
