"""The review queue: texts too uncertain to act on alone, and questions a person must answer.

An item is an event, `review_opened` (recorded with the text by replies.py), and its resolution is
another, `review_resolved`: the log stays append-only and the queue as of any instant is derived
from it (sql/inbound/reviews_open.sql). While an item waits, the policy applies the safe action
(collection contact on its channel pauses; past its deadline the channel is treated as opted out:
sql/policy, helper C2's part), so a slow reviewer can never cost the borrower their opt-out.

Resolving records who decided (`decided_by` "reviewer:<name>") and the intents they applied, as the
same events a clear text would have recorded (text_events.intent_events), with source 'review' and
external_id `<review_id>:review:<kind>[:<channel>]`. Resolving twice, an unknown id or an unknown
intent is one clear line (ReviewError, exit 2), and nothing is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

import duckdb

from loan_comms import db
from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig
from loan_comms.errors import LoanCommsError
from loan_comms.inbound.text_events import EVENT_KIND, Origin, insert_events, intent_events
from loan_comms.understanding import Intent, Rules, load_rules, rules_for

CHANNELS = ("sms", "email", "call", "visit", "letter")
# What a reviewer may apply. A promise needs its date and amount: an agent records it with
# record-events (kind promise_to_pay), where they are checked.
RESOLVABLE = ("opt_out", "opt_in", "hardship", "dispute", "wrong_number", "complaint", "callback_request", "question")
NOTHING = ("nothing", "none", "")
_NAME = re.compile(r"[\w.\- ]{1,60}")


class ReviewError(LoanCommsError):
    """A review command that cannot be done as asked (unknown item, resolved already, unknown intent)."""

    exit_code = 2


@dataclass(frozen=True)
class ReviewItem:
    """One open review item. `text` and `contact_point` are personal data: for the reviewer's screen
    (masked) only; `public()` is what artifacts, logs and alerts may carry."""

    review_id: str
    borrower_id: str
    loan_id: str | None
    channel: str | None          # the channel that pauses while it waits (None: pauses nothing)
    contact_point: str | None
    opened_at: datetime
    deadline: datetime
    age_hours: float
    overdue: bool
    reason: str                  # ambiguous | needs_answer
    candidates: tuple[dict[str, Any], ...]
    source: str | None
    text: str | None

    @property
    def candidate_intents(self) -> list[str]:
        return [str(c.get("intent")) for c in self.candidates]

    def public(self) -> dict[str, Any]:
        """The item without personal data: id, age, deadline, overdue, channel, reason, candidates."""
        return {"review_id": self.review_id, "age_hours": self.age_hours,
                "deadline": self.deadline.isoformat().replace("+00:00", "Z"), "overdue": self.overdue,
                "channel": self.channel, "reason": self.reason, "candidates": ", ".join(self.candidate_intents),
                "source": self.source}


@dataclass(frozen=True)
class Resolution:
    """What resolving an item recorded: the intents applied (event kinds) and how many events."""

    review_id: str
    applied: tuple[str, ...]
    events: int


def open_reviews(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> list[ReviewItem]:
    """The items open as of `now` (default: the wall clock), oldest deadline first."""
    out = []
    now = now or utc_now()
    db.run(con, "lifecycle/state/review_items", {"now": now})   # the policy's own definition of "open"
    for r in db.rows(con, "inbound/reviews_open", {"now": now}):
        out.append(ReviewItem(
            review_id=r["review_id"], borrower_id=r["borrower_id"], loan_id=r["loan_id"], channel=r["channel"],
            contact_point=r["contact_point"], opened_at=r["opened_at"], deadline=r["deadline"],
            age_hours=float(r["age_hours"]), overdue=bool(r["overdue"]), reason=r["reason"] or "ambiguous",
            candidates=tuple(json.loads(r["candidates"] or "[]")), source=r["source"], text=r["text"]))
    return out


def review_artifact_rows(items: Sequence[ReviewItem]) -> list[dict[str, Any]]:
    """Rows for a Prefect table artifact: no text, no phone, no address (ReviewItem.public)."""
    return [i.public() for i in items]


def _intents(values: Sequence[str], channel: str, rules: Rules) -> list[Intent]:
    """The reviewer's choice as Intents: 'opt_out' (the item's channel), 'opt_out:all',
    'opt_out:email', 'hardship', ...; 'nothing' (or none given) applies nothing."""
    chosen: list[Intent] = []
    for raw in values:
        value = raw.strip().lower()
        if value in NOTHING:
            continue
        name, _, where = value.partition(":")
        name = {"hardship_request": "hardship"}.get(name, name)
        if name == "promise_to_pay":
            raise ReviewError("promise_to_pay needs its date and amount: record it with `loan-comms record-events` "
                              "(kind promise_to_pay, promised_date), then resolve the item with the rest")
        if name not in RESOLVABLE:
            raise ReviewError(f"unknown intent {raw!r}; use one of {', '.join(RESOLVABLE)} "
                              "(opt_out:all or opt_out:<channel> for other channels), or 'nothing'")
        if where and name not in ("opt_out", "opt_in"):
            raise ReviewError(f"{raw!r}: only opt_out and opt_in take a channel (e.g. opt_out:all, opt_out:email)")
        if where and where != "all" and where not in CHANNELS:
            raise ReviewError(f"{raw!r}: {where!r} is not a channel; use all or one of {', '.join(CHANNELS)}")
        channels: tuple[str, ...] = ()
        scope = None
        if name in ("opt_out", "opt_in"):
            scope = "all" if where == "all" else "this"
            channels = tuple(rules.all_channels) if where == "all" else (where or channel,)
        chosen.append(Intent(name, 1.0, "reviewer", channels=channels, scope=scope))
    if len({(i.name, i.channels) for i in chosen}) < len(chosen):
        raise ReviewError("an intent is given twice")
    return chosen


def resolve_review(con: duckdb.DuckDBPyConnection, review_id: str, intents: Sequence[str], by: str,
                   note: str | None = None, now: datetime | None = None, *, cfg: LifecycleConfig | None = None,
                   rules: Rules | None = None) -> Resolution:
    """Resolve one open item: records `review_resolved` (decided_by "reviewer:<by>", the intents, the
    note) and the applied intents as events, in one transaction. `intents` may be empty (nothing to
    apply: the item closes and the pause lifts). An opt_out applies to the item's channel unless
    'opt_out:all' or 'opt_out:<channel>' says otherwise. Raises ReviewError (nothing written) for an
    unknown id, an item already resolved, an unknown intent or a reviewer name that is not a name."""
    now = now or utc_now()
    by = (by or "").strip()
    if not _NAME.fullmatch(by) or "@" in by:
        raise ReviewError(f"--by {by!r}: give the reviewer's name or staff id (letters, digits, . _ - and spaces, "
                          "at most 60)")
    found = db.rows(con, "inbound/review_item", {"review_id": review_id})
    if not found:
        raise ReviewError(f"no review item {review_id!r}; `loan-comms reviews list` shows the open ones")
    item = found[0]
    if item["resolved"]:
        raise ReviewError(f"review item {review_id!r} is already resolved")
    rules = rules or (rules_for(cfg) if cfg is not None else load_rules())
    channel = item["channel"] or item["text_channel"]
    chosen = _intents(intents, channel, rules)
    origin = Origin(text_id=review_id, borrower_id=item["borrower_id"], loan_id=item["loan_id"],
                    channel=item["text_channel"], contact_point=item["contact_point"], occurred_at=now,
                    source="review", key=f"{review_id}:review")
    decided_by = f"reviewer:{by}"
    rows: list[dict[str, Any]] = []
    for intent in chosen:
        found_rows, problem = intent_events(intent, origin, decided_by)
        if problem:
            raise ReviewError(f"{intent.name}: {problem.removesuffix(': not recorded')}; nothing was recorded")
        rows += found_rows
    applied = tuple(EVENT_KIND[i.name] + (f":{','.join(i.channels)}" if i.channels else "") for i in chosen)
    detail: dict[str, Any] = {"review_id": review_id, "decided_by": decided_by, "intents": list(applied)}
    if note:
        detail["note"] = str(note)[:500]
    rows.insert(0, dict(external_id=f"{review_id}:resolved", borrower_id=item["borrower_id"], loan_id=item["loan_id"],
                        kind="review_resolved", occurred_at=now, detail=json.dumps(detail, ensure_ascii=False),
                        amount=None, channel=item["channel"], source="review", contact_point=item["contact_point"]))
    with db.transaction(con):
        recorded = insert_events(con, rows, now)
    if recorded == 0:   # another reviewer won the race between the check and the write
        raise ReviewError(f"review item {review_id!r} is already resolved")
    return Resolution(review_id, applied, recorded)
