"""What borrowers write: SMS replies, e-mail replies and agent notes, understood and recorded.

Every inbound text goes through ONE function, `record_texts` (or `land_texts` inside a caller's
transaction), whatever carried it, so "stop texting me" means the same by SMS, by e-mail or told to
an agent. For a list of `InboundText` it:

1. matches each text to its borrower (sql/inbound/replies_match.sql): an SMS by the sender's phone
   points, an e-mail by their e-mail points (lower-case), a note by the borrower it names; a text
   from nobody we know is quarantined (file, line, reason) and the rest still land;
2. reads it with `loan_comms.understanding.understand` (the rules the config names, the borrower's
   timezone, which decides what "tomorrow" is), or with the function the caller passes (tests);
3. records, in one transaction and once per external_id (replay-safe): the raw text (`sms_reply`,
   `email_reply`, `agent_note`, detail {"text", "classified_as", "review", "decided_by", "note"?}),
   one event per clear intent (text_events.py) and, when something was too uncertain to apply or a
   question needs a person, a `review_opened` item with its deadline (reviews.py lists and resolves).
   Two bare answers are claimed first, each only when the number's LATEST SMS asked for it: a pick
   from the plan menu ("1", "选2": loan_comms.arrangements.sms_menu, a plan choice) and then a score
   for an open survey (loan_comms.surveys.sms_scores); their reply event records no intent.

`ingest_replies` reads Twilio inbound-SMS file drops (From, Body, MessageSid, OptOutType) into
InboundText. Twilio's own `OptOutType` (STOP / START / HELP, its Advanced Opt-Out) is taken as given:
the number already told the borrower they are unsubscribed. The text and the sender never reach a
report or a log: reports say counts, ids, files and lines.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, ClassVar, Sequence

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.clock import utc_now
from loan_comms.config import LifecycleConfig
from loan_comms.inbound import drops, reader
from loan_comms.inbound.text_events import (EVENT_KIND, TEXT_KIND, Origin, candidate_channels, insert_events,
                                            intent_events, review_deadline, review_event)
from loan_comms.understanding import Rules, Understanding, load_rules, rules_for, understand

CHANNELS = ("sms", "email", "call", "visit", "letter")
GIVEN = ("STOP", "START", "HELP")           # Twilio's OptOutType values
MAX_TEXT = 4000                              # characters of a text kept in its event (an e-mail can be long)
REPLY_FIELDS = ("MessageSid", "SmsSid", "From", "Body", "DateSent", "timestamp", "received_at", "OptOutType")
PROVIDER = {"sms_reply": "provider:twilio", "email_reply": "provider:email", "agent_note": "provider:agent"}

UnderstandFn = Callable[..., Understanding]

_TEXTS_SCHEMA = pa.schema([
    ("seq", pa.int64()), ("external_id", pa.string()), ("channel", pa.string()), ("source", pa.string()),
    ("sender", pa.string()), ("borrower_id", pa.string()), ("loan_id", pa.string()),
    ("occurred_at", pa.timestamp("us", tz="UTC")),
])


@dataclass(frozen=True)
class InboundText:
    """One text a borrower wrote, or an agent noted, as it arrived.

    sender: the E.164 phone number or the e-mail address it came from (SMS, e-mail); an agent's note
    has none and names its borrower_id instead (loan_id optional: it must be theirs). channel: the
    channel it came on ("sms", "email"; a note: the channel of the conversation, "call" or "visit").
    source: 'sms_reply' | 'email_reply' | 'agent_note'. given: a provider's own reading (Twilio
    OptOutType STOP / START / HELP). source_file / source_line / raw: where it was read, for the
    quarantine.
    """

    external_id: str
    channel: str
    text: str
    occurred_at: datetime
    source: str
    sender: str | None = None
    borrower_id: str | None = None
    loan_id: str | None = None
    given: str | None = None
    source_file: str | None = None
    source_line: int | None = None
    raw: str | None = None
    claimed_at: str | None = None    # the sender's or provider's own date when it was not used as is
                                     # (in the future, unreadable): kept in the text event's detail


@dataclass
class TextReport:
    """What recording a list of texts did: counts by kind, never a text or an address."""

    read: int = 0
    new: int = 0                     # texts recorded now
    duplicates: int = 0              # texts already recorded (a re-ingested file), or twice in this list
    by_kind: dict[str, int] = field(default_factory=dict)   # clear intents recorded, by event kind
    reviews_opened: int = 0          # review items opened (ambiguous, or a question to answer)
    survey_answers: int = 0          # SMS scores recorded as the answer to the number's open survey
    plan_choices: int = 0            # SMS menu picks landed as a plan choice (loan_comms.arrangements.sms_menu)
    refused: list[tuple[InboundText, str]] = field(default_factory=list)   # (text, reason): not recorded

    @property
    def unknown_sender(self) -> int:
        return sum(1 for _, why in self.refused if why.startswith("no borrower has"))


def _normal_sender(sender: str | None) -> str | None:
    """An e-mail address compares lower-case and trimmed (as borrower_points stores it); a phone as given."""
    if sender is None or str(sender).strip() == "":
        return None
    s = str(sender).strip()
    return s.lower() if "@" in s else s


def _problem(t: InboundText) -> str | None:
    """Why a text cannot even be matched (a caller's mistake), or None."""
    if not t.external_id:
        return "no id (needed so a re-ingestion is not doubled)"
    if t.source not in TEXT_KIND:
        return f"source {t.source!r} is not one of {', '.join(TEXT_KIND)}"
    if t.channel not in CHANNELS:
        return f"channel {t.channel!r} is not one of {', '.join(CHANNELS)}"
    if t.sender is None and t.borrower_id is None:
        return "neither a sender nor a borrower_id"
    return None


def land_texts(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig | None, texts: Sequence[InboundText], *,
               now: datetime | None = None, understand_fn: UnderstandFn | None = None,
               rules: Rules | None = None) -> TextReport:
    """Match, understand and record `texts` INSIDE the caller's transaction (record_texts opens its
    own); refused texts are returned in the report, not quarantined (the caller knows its entity)."""
    now = now or utc_now()
    rules = rules or (rules_for(cfg) if cfg is not None else load_rules())
    read_text = understand_fn or understand
    report = TextReport(read=len(texts))
    asked = list(texts)      # refused texts are reported as the caller gave them (it maps them back)
    texts = [replace(t, sender=_normal_sender(t.sender)) for t in texts]
    batch: list[dict[str, Any]] = []
    seen: set[str] = set()
    for seq, t in enumerate(texts):
        if (problem := _problem(t)) is not None:
            report.refused.append((asked[seq], problem))
        elif t.external_id in seen:
            report.duplicates += 1
        else:
            seen.add(t.external_id)
            batch.append(dict(seq=seq, external_id=t.external_id, channel=t.channel, source=t.source, sender=t.sender,
                              borrower_id=t.borrower_id, loan_id=t.loan_id, occurred_at=t.occurred_at))
    if not batch:
        return report
    with db.registered(con, pa.Table.from_pylist(batch, schema=_TEXTS_SCHEMA), "_texts"):
        matches = db.rows(con, "inbound/replies_match")
    rows: list[dict[str, Any]] = []
    kinds: Counter[str] = Counter()
    chosen = _plan_choices(con, cfg, texts, matches, now)     # before the scores: a "1" may be either
    surveyed = _survey_scores(con, texts, [m for m in matches if m["seq"] not in chosen], now, cfg)
    for m in matches:
        t = texts[m["seq"]]
        if m["problem"] is not None:
            report.refused.append((asked[m["seq"]], m["problem"]))
            continue
        if m["already"]:
            report.duplicates += 1
            continue
        origin = Origin(text_id=t.external_id, borrower_id=m["borrower_id"], loan_id=m["loan_id"], channel=t.channel,
                        contact_point=m["contact_point"], occurred_at=t.occurred_at, source=t.source,
                        key=t.external_id)
        if m["seq"] in chosen:         # a pick from the plan menu of the number's open offer
            rows.append(_plan_reply_row(t, origin, chosen[m["seq"]]))
            report.plan_choices += 1
            report.new += 1
            continue
        if m["seq"] in surveyed:       # a bare score answering an open survey: not read as a reply
            rows.append(_survey_reply_row(t, origin, surveyed[m["seq"]]))
            report.survey_answers += 1
            report.new += 1
            continue
        u = read_text(t.text or "", channel=t.channel, received_at=t.occurred_at, timezone=m["timezone"], rules=rules,
                      given=t.given)
        text_rows, applied, opened = _events_of(t, origin, u, rules, m["timezone"])
        rows += text_rows
        kinds.update(EVENT_KIND[name] for name in applied)
        report.reviews_opened += opened
        report.new += 1
    insert_events(con, rows, now)
    report.by_kind = dict(sorted(kinds.items()))
    return report


def _survey_scores(con: duckdb.DuckDBPyConnection, texts: Sequence[InboundText], matches: Sequence[dict[str, Any]],
                   now: datetime, cfg: LifecycleConfig | None) -> dict[int, str]:
    """{seq: survey token} of the new SMS replies that are a bare score ("4", "９分", "10/10") and
    answered the survey their number was last sent, which must be the matched borrower's
    (loan_comms.surveys.sms_scores); a score with no such open survey is read as any other reply."""
    from loan_comms.surveys.sms_scores import ScoreText, claim_scores, score_in, scored_out_of   # surveys import inbound

    scored = []
    for m in matches:
        t = texts[m["seq"]]
        if m["problem"] is None and not m["already"] and t.source == "sms_reply" and t.sender:
            score = score_in(t.text)
            if score is not None:
                scored.append(ScoreText(seq=m["seq"], sender=t.sender, borrower_id=m["borrower_id"], score=score,
                                        occurred_at=t.occurred_at,
                                        external_id=t.external_id, source_file=t.source_file,
                                        source_line=t.source_line or 0, out_of=scored_out_of(t.text)))
    if not scored:
        return {}
    return claim_scores(con, scored, now) if cfg is None else claim_scores(con, scored, now,
                                                                         answer_days=cfg.surveys.answer_days)


def _plan_choices(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig | None, texts: Sequence[InboundText],
                  matches: Sequence[dict[str, Any]], now: datetime) -> dict[int, int]:
    """{seq: option number} of the new SMS replies that pick from the plan menu ("1", "选2", "option 3")
    and landed as a choice on their number's open offer (loan_comms.arrangements.sms_menu); any other
    pick is read as any other reply."""
    from loan_comms.arrangements.menu_parse import menu_choice
    from loan_comms.arrangements.sms_menu import MenuText, claim_menu_choices

    if cfg is None:
        return {}
    picks = []
    for m in matches:
        t = texts[m["seq"]]
        if m["problem"] is None and not m["already"] and t.source == "sms_reply" and t.sender and m["borrower_id"]:
            n = menu_choice(t.text)
            if n is not None:
                picks.append(MenuText(seq=m["seq"], sender=t.sender, borrower_id=m["borrower_id"], option_no=n,
                                      occurred_at=t.occurred_at, external_id=t.external_id,
                                      source_file=t.source_file, source_line=t.source_line or 0))
    return claim_menu_choices(con, cfg, picks, now) if picks else {}


def _plan_reply_row(t: InboundText, origin: Origin, option_no: int) -> dict[str, Any]:
    """The sms_reply event of a text that chose a plan: the text as any reply's, no intent, and the
    option it chose (the plan itself is told by its arrangement_* event)."""
    detail = {"text": (t.text or "")[:MAX_TEXT], "classified_as": [], "review": [], "decided_by": "plan_menu",
              "plan_option": option_no}
    return dict(external_id=t.external_id, borrower_id=origin.borrower_id, loan_id=origin.loan_id,
                kind=TEXT_KIND[t.source], occurred_at=t.occurred_at, detail=json.dumps(detail, ensure_ascii=False),
                amount=None, channel=t.channel, source=t.source, contact_point=origin.contact_point)


def _survey_reply_row(t: InboundText, origin: Origin, token: str) -> dict[str, Any]:
    """The sms_reply event of a text that answered a survey: the text as any reply's, no intent."""
    detail = {"text": (t.text or "")[:MAX_TEXT], "classified_as": [], "review": [], "decided_by": "survey_score",
              "survey_token": token}
    return dict(external_id=t.external_id, borrower_id=origin.borrower_id, loan_id=origin.loan_id,
                kind=TEXT_KIND[t.source], occurred_at=t.occurred_at, detail=json.dumps(detail, ensure_ascii=False),
                amount=None, channel=t.channel, source=t.source, contact_point=origin.contact_point)


def _events_of(t: InboundText, origin: Origin, u: Understanding, rules: Rules,
               timezone: str | None = None) -> tuple[list[dict[str, Any]], list[str], int]:
    """(rows, intents applied, review items opened) for one understood text.

    An uncertain reading opens one item that pauses every channel it may be about (the channel it
    came on plus its candidates' channels: "maybe stop calling me" by SMS pauses SMS and calls) and
    lists the questions the same text asked, so the reviewer answers them too; a text that only asks
    a question opens an item that pauses nothing. The deadline counts business days in the
    borrower's zone."""
    rows: list[dict[str, Any]] = []
    applied: list[str] = []
    notes = [u.note] if u.note else []
    for intent in u.intents:
        if intent.name not in EVENT_KIND:       # "other" is the absence of an intent, never an event
            continue
        decided_by = PROVIDER[t.source] if intent.rule == "provider" else u.decided_by
        found, note = intent_events(intent, origin, decided_by)
        if note:
            notes.append(note)
        elif found:
            rows += found
            applied.append(intent.name)
    deadline = review_deadline(t.occurred_at, rules.deadline_business_days, timezone)
    asked = [i for i in u.intents if i.name == "question"] if "question" in applied else []
    opened = 0
    if u.review:        # the safe action applies while a person decides: the channels pause
        rows.append(review_event(origin, reason="ambiguous", candidates=u.review, deadline=deadline,
                                 pauses=candidate_channels(u.review, t.channel, rules.all_channels),
                                 questions=asked))
        opened = 1
    elif asked:     # a person must answer; it pauses nothing
        rows.append(review_event(origin, reason="needs_answer", candidates=asked, deadline=deadline, pauses=()))
        opened = 1
    detail: dict[str, Any] = {"text": (t.text or "")[:MAX_TEXT], "classified_as": applied,
                              "review": [i.name for i in u.review], "decided_by": u.decided_by,
                              "language": u.language}
    if t.given:
        detail["given"] = t.given
    if t.claimed_at:
        detail["claimed_at"] = t.claimed_at
    if notes:
        detail["note"] = "; ".join(notes)
    rows.insert(0, dict(external_id=t.external_id, borrower_id=origin.borrower_id, loan_id=origin.loan_id,
                        kind=TEXT_KIND[t.source], occurred_at=t.occurred_at,
                        detail=json.dumps(detail, ensure_ascii=False), amount=None, channel=t.channel,
                        source=t.source, contact_point=origin.contact_point))
    return rows, applied, opened


def quarantine_rows(refused: Sequence[tuple[InboundText, str]]) -> list[dict[str, Any]]:
    """import_quarantine rows for refused texts (entity = their source: sms_reply, email_reply...)."""
    return [dict(source_file=t.source_file or f"<{t.source}>", source_line=t.source_line or 0,
                 entity=t.source if t.source in TEXT_KIND else "inbound_text", record_id=(t.external_id or None),
                 reason=why[:500], raw=t.raw) for t, why in refused]


def record_texts(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig | None, texts: Sequence[InboundText], *,
                 now: datetime | None = None, understand_fn: UnderstandFn | None = None,
                 rules: Rules | None = None, quarantine: Sequence[dict[str, Any]] = ()) -> TextReport:
    """Understand and record inbound texts in one transaction, idempotent by external_id.

    Texts from unknown senders (or naming a borrower or loan not in the book) are quarantined with
    their file, line and reason in the same transaction as the rest are recorded, together with the
    caller's own refused records (`quarantine`, rows for loan_comms.inbound.reader.quarantine).
    `understand_fn` replaces the classifier (tests give fixed Understandings); `now` stamps
    recorded_at (the wall clock, or the simulator's instant).
    """
    with db.transaction(con):
        report = land_texts(con, cfg, texts, now=now, understand_fn=understand_fn, rules=rules)
        reader.quarantine(con, [*quarantine, *quarantine_rows(report.refused)])
    return report


# ---------------------------------------------------------------------------------------------
# Twilio inbound SMS file drops


@dataclass
class ReplyReport:
    """Counts from one replies ingestion (never the text or the phone numbers)."""

    records: int = 0
    new_replies: int = 0
    duplicates: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    unknown_sender: int = 0
    rejected: list[str] = field(default_factory=list)       # "file:line: reason"
    unknown_lines: list[str] = field(default_factory=list)  # "file:line: no borrower has this phone number"
    file: str = "replies"       # the file or directory name, for the report line
    reviews_opened: int = 0     # review items opened (ambiguous replies, questions)
    # What the report line calls the records, their quarantine entity and their senders (the e-mail
    # report, email_ingest.EmailReplyReport, says "e-mail replies", email_reply, "addresses").
    noun: ClassVar[str] = "replies"
    entity: ClassVar[str] = "sms_reply"
    senders: ClassVar[str] = "numbers"

    @property
    def quarantined(self) -> int:
        return len(self.rejected) + len(self.unknown_lines)

    def __str__(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items())) or "none"
        head, _, rest = reader.summary(self.file, self.noun, self.records, self.new_replies, self.duplicates,
                                        self.rejected + self.unknown_lines, self.entity).partition("\n")
        return (f"{head}; new by kind: {kinds}; {self.reviews_opened} review items opened; "
                f"{self.unknown_sender} from unknown {self.senders}" + (f"\n{rest}" if rest else ""))


def _e164(raw: Any) -> str | None:
    s = re.sub(r"[\s\-().]", "", str(raw or ""))
    return s if re.fullmatch(r"\+\d{7,15}", s) else None


def _given(raw: Any) -> str | None:
    """Twilio's OptOutType when it is one we know (STOP, START, HELP), else None (read the text)."""
    value = str(raw or "").strip().upper()
    return value if value in GIVEN else None


def ingest_replies(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, path: str | Path, *,
                   now: datetime | None = None, encoding: str | None = None,
                   understand_fn: UnderstandFn | None = None) -> ReplyReport:
    """Inbound SMS (Twilio fields From, Body, MessageSid [, DateSent, OptOutType]) -> record_texts.

    A record that cannot be used (no MessageSid, a From that is not a phone number, a list where
    text belongs, an unknown sender) is quarantined in the same transaction as the good ones are
    recorded. `now` (default: the wall clock; the simulator passes its simulated instant) stamps
    the rows and dates replies that carry no DateSent. A DateSent is never later than `now` (a
    future date would hide an opt-out until then) and one that cannot be read falls back to `now`;
    either way the date as given is kept in the text's detail (claimed_at).
    """
    now = now or utc_now()
    report = ReplyReport(file=Path(path).name)
    texts: list[InboundText] = []
    bad: list[dict[str, Any]] = []
    for file, r in drops.records(Path(path), encoding, REPLY_FIELDS):
        rec, problem = r.row, r.problem
        report.records += 1
        sid = phone = None
        if rec is not None:
            sid = rec.get("MessageSid") or rec.get("SmsSid")
            phone = _e164(rec.get("From"))
            if not sid:
                problem = "no MessageSid"
            elif phone is None:
                problem = "From is not an E.164 phone number"
            elif "Body" not in rec:
                problem = "no Body"
        if problem:
            report.rejected.append(f"{file.name}:{r.line}: {problem}")
            bad.append(reader.quarantine_row(file, r, "sms_reply", problem, sid))
            continue
        assert rec is not None  # a record without a row always carries its problem
        try:
            claimed = rec.get("DateSent") or rec.get("timestamp") or rec.get("received_at")
            occurred, kept = drops.received_when(claimed, now)
            texts.append(InboundText(
                external_id=str(sid), channel="sms", text=str(rec.get("Body") or ""), source="sms_reply",
                sender=phone, occurred_at=occurred, given=_given(rec.get("OptOutType")),
                source_file=str(file.resolve()), source_line=r.line, raw=r.raw, claimed_at=kept))
        except Exception as exc:    # a bad record never costs the good ones: quarantined, the file goes on
            problem = f"could not be read: {type(exc).__name__}"
            report.rejected.append(f"{file.name}:{r.line}: {problem}")
            bad.append(reader.quarantine_row(file, r, "sms_reply", problem, sid))
    done = record_texts(con, cfg, texts, now=now, understand_fn=understand_fn, quarantine=bad)
    report.new_replies, report.duplicates, report.by_kind = done.new, done.duplicates, done.by_kind
    if done.survey_answers:
        report.by_kind = {**report.by_kind, "survey_answer": done.survey_answers}
    if done.plan_choices:
        report.by_kind = {**report.by_kind, "plan_choice": done.plan_choices}
    report.reviews_opened, report.unknown_sender = done.reviews_opened, done.unknown_sender
    report.unknown_lines = [f"{Path(t.source_file or '').name}:{t.source_line}: {why}" for t, why in done.refused]
    return report
