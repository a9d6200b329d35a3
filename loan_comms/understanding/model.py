"""What a text means: the intents found in it, and those too uncertain to apply (for a person)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

INTENTS = ("opt_out", "opt_in", "hardship", "dispute", "wrong_number", "complaint", "promise_to_pay",
           "callback_request", "question", "other")


@dataclass(frozen=True)
class Intent:
    """One meaning found in a text, with the rule that found it (the evidence, never the text)."""

    name: str
    confidence: float
    rule: str
    channels: tuple[str, ...] = ()          # opt_out / opt_in: the channels it closes or opens
    scope: str | None = None                # opt_out / opt_in: "this" channel or "all"
    promised_date: date | None = None
    amount: Decimal | None = None
    callback_on: date | None = None
    callback_window: tuple[time, time] | None = None
    detail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Understanding:
    """The clear intents (applied at once) and the uncertain ones (the review queue)."""

    intents: tuple[Intent, ...]
    review: tuple[Intent, ...]
    language: str
    normalized: str
    rules_version: str
    note: str | None = None

    @property
    def decided_by(self) -> str:
        return f"rules:{self.rules_version}"

    def names(self) -> list[str]:
        return [i.name for i in self.intents]
