"""The review queue: texts too uncertain to act on alone, and questions a person must answer.

An item is an event, `review_opened` (recorded with the text by replies.py), and its resolution is
another, `review_resolved`: the log stays append-only and the queue as of any instant is derived
from it (sql/lifecycle/state/review_items.sql). While an item waits, the policy applies the safe
action: collection contact pauses on every channel the item may be about (the one the text came on
and its candidates' channels: "maybe stop calling me" by SMS pauses SMS and calls); past its deadline
those channels are treated as opted out, so a slow reviewer can never cost the borrower their
opt-out. A later clear START or STOP from the same point on one of those channels supersedes the
uncertain reading there (the item stops pausing it; the item closes when nothing is left to pause
and no question waits for an answer).

Artifacts, logs and alerts show an item's public id (public_id: a hash), never the real one, which
for an e-mail is its Message-ID; the reviewer's own screen shows both and `resolve` takes either.

Resolving records who decided (`decided_by` "reviewer:<name>") and the intents they applied, as the
same events a clear text would have recorded (text_events.intent_events), with source 'review' and
external_id `<review_id>:review:<kind>[:<channel>]`. Resolving twice, an unknown id or an unknown
intent is one clear line (ReviewError, exit 2), and nothing is written.
"""

from __future__ import annotations

import hashlib
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
_PUBLIC = re.compile(r"R-[0-9a-f]{12}")


def public_id(review_id: str) -> str:
    """The id artifacts, logs and alerts show for an item: 'R-' and 12 hex digits of its sha256.
    The real id is the text's external_id, for an e-mail its Message-ID (sender-controlled, often
    naming a host or a person), so it stays in the database and on the reviewer's screen;
    `reviews resolve` takes either."""
    return "R-" + hashlib.sha256(review_id.encode("utf-8")).hexdigest()[:12]


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
    channel: str | None          # the channel the text came on when the item pauses (None: pauses nothing)
    contact_point: str | None
    opened_at: datetime
    deadline: datetime
    age_hours: float
    overdue: bool
    reason: str                  # ambiguous | needs_answer
    candidates: tuple[dict[str, Any], ...]
    source: str | None
    text: str | None
    channels: tuple[str, ...] = ()   # the channels that pause while it waits (review_items.sql)

    @property
    def candidate_intents(self) -> list[str]:
        return [str(c.get("intent")) for c in self.candidates]

    @property
    def public_id(self) -> str:
        return public_id(self.review_id)

    def public(self) -> dict[str, Any]:
        """The item without personal data: its public id (a hash of the real one, which for an e-mail
        is its Message-ID), age, deadline, overdue, channels paused, reason, candidates."""
        return {"review_id": self.public_id, "age_hours": self.age_hours,
                "deadline": self.deadline.isoformat().replace("+00:00", "Z"), "overdue": self.overdue,
                "channel": ", ".join(self.channels) or None, "reason": self.reason,
                "candidates": ", ".join(self.candidate_intents), "source": self.source}


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
            candidates=tuple(json.loads(r["candidates"] or "[]")), source=r["source"], text=r["text"],
            channels=tuple(r["channels"] or ())))
    return out


def find_review_id(con: duckdb.DuckDBPyConnection, given: str) -> str:
    """The real id of an item given by its real id or its public id ('R-' + 12 hex, public_id);
    `given` unchanged when no item has that public id (the caller reports it as unknown)."""
    given = given.strip()
    if not _PUBLIC.fullmatch(given) or db.rows(con, "inbound/review_item", {"review_id": given}):
        return given
    ids = con.execute("SELECT DISTINCT regexp_replace(external_id, ':review$', '') FROM borrower_events "
                      "WHERE kind = 'review_opened'").fetchall()
    found = [rid for (rid,) in ids if rid is not None and public_id(rid) == given]
    if len(found) > 1:
        raise ReviewError(f"{given!r} names {len(found)} items; give the real id (`loan-comms reviews list`)")
    return found[0] if found else given


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
    apply: the item closes and the pause lifts). `review_id` is the real id or the public one
    (public_id). An opt_out applies to the channel the text came on unless
    'opt_out:all' or 'opt_out:<channel>' says otherwise. Raises ReviewError (nothing written) for an
    unknown id, an item already resolved, an unknown intent or a reviewer name that is not a name."""
    now = now or utc_now()
    review_id = find_review_id(con, review_id)
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
