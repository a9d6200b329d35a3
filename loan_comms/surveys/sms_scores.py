"""An SMS reply that is a score answers the survey the sender's number was last sent.

"4", "４", " 5 ", "9分", "10/10", "8/10", "我给8分", "给你们打9分", "score: 7" are scores (0-10, the
whole text, full-width digits and trailing punctuation allowed); "I will pay 4 tomorrow" is not. A
score is a survey answer only when the latest SMS that reached the number is an unexpired survey of
the borrower the reply was matched to, the number is that borrower's alone and not reported wrong or
reassigned since (sql/surveys/open_for_sender.sql): a score must never land on another person's
survey, nor on an older survey than the message it answers. Otherwise the reply is read as any
other. `claim_scores` is called by inbound/replies.land_texts inside its transaction, so the answer
and the reply event commit together; a re-ingested reply is already known there and never reaches it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.inbound import reader
from loan_comms.surveys.answers import DEFAULT_ANSWER_DAYS, SurveyAnswer, land_answers, quarantine_rows

_SCORE = re.compile(r"""(?:我|我们)?(?:给|打|评)?(?:你们|你)?(?:打|评|给)?(?:score|rating|评分)?\s*[:：]?\s*
                        (?P<n>\d{1,2})\s*(?:分|points?|pts?|/\s*(?P<slash>5|10)|out\s+of\s+(?P<of>5|10))?""", re.X | re.I)
_TOP = {"csat": 5, "nps": 10}
ALREADY_ANSWERED = "already answered (the latest survey to this number); kept as a normal reply"
_END = re.compile(r"[\s。.!！~～]*$")

_SCHEMA = pa.schema([("seq", pa.int64()), ("sender", pa.string()), ("borrower_id", pa.string()),
                     ("occurred_at", pa.timestamp("us", tz="UTC"))])


def score_in(text: str | None) -> int | None:
    """The score 0-10 when the whole text is one, else None."""
    if not text:
        return None
    norm = unicodedata.normalize("NFKC", text).strip()
    norm = _END.sub("", norm)
    m = _SCORE.fullmatch(norm)
    if m is None:
        return None
    n = int(m["n"])
    return n if 0 <= n <= 10 else None


def scored_out_of(text: str | None) -> int | None:
    """The scale the text says it scores on ("4/10", "4 out of 5"), or None when it names none."""
    if not text:
        return None
    m = _SCORE.fullmatch(_END.sub("", unicodedata.normalize("NFKC", text).strip()))
    if m is None:
        return None
    top = m["slash"] or m["of"]
    return int(top) if top else None


@dataclass(frozen=True)
class ScoreText:
    """A matched SMS reply that reads as a score (seq: its place in the caller's batch; borrower_id:
    the borrower inbound/replies_match chose for it, whose survey alone it may answer)."""

    seq: int
    sender: str
    borrower_id: str
    score: int
    occurred_at: datetime
    external_id: str
    source_file: str | None = None
    source_line: int = 0
    out_of: int | None = None       # "4/10": the scale the borrower scored on, when said


def claim_scores(con: duckdb.DuckDBPyConnection, texts: Sequence[ScoreText], now: datetime, *,
                 answer_days: int = DEFAULT_ANSWER_DAYS) -> dict[int, str]:
    """Land each score as the answer to the survey its number was last sent (open_for_sender.sql);
    returns {seq: token} of the texts that became answers (the rest stay normal replies). A score
    the survey refuses (out of its scale, or the survey already answered) is quarantined with its
    reason and the text stays a normal reply. Inside the caller's transaction."""
    if not texts:
        return {}
    rows = [dict(seq=t.seq, sender=t.sender, borrower_id=t.borrower_id, occurred_at=t.occurred_at) for t in texts]
    with db.registered(con, pa.Table.from_pylist(rows, schema=_SCHEMA), "_score_texts"):
        found = db.rows(con, "surveys/open_for_sender")
    # A second score to the survey the number was last sent, already answered: said why, still a reply
    # (never the answer to an older survey: the latest message is what a bare digit answers).
    answered = {r["seq"]: r["token"] for r in found if r["answered"]}
    reader.quarantine(con, quarantine_rows([
        (SurveyAnswer(token=answered[t.seq], score=t.score, answered_at=t.occurred_at, source="sms",
                      external_id=t.external_id, source_file=t.source_file, source_line=t.source_line),
         ALREADY_ANSWERED) for t in texts if t.seq in answered]))
    found = [r for r in found if not r["answered"]]
    open_ = {r["seq"]: r["token"] for r in found}
    scale = {r["seq"]: r["scale"] for r in found}
    # "4/10" to a 1-5 survey (or "4/5" to a 0-10 one) is on another scale than asked: not an answer.
    mismatched = [t for t in texts if t.seq in open_ and t.out_of is not None and t.out_of != _TOP[scale[t.seq]]]
    reader.quarantine(con, quarantine_rows([
        (SurveyAnswer(token=open_[t.seq], score=t.score, answered_at=t.occurred_at, source="sms",
                      external_id=t.external_id, source_file=t.source_file, source_line=t.source_line),
         f"scored out of {t.out_of} on a {scale[t.seq]} survey ({'1-5' if scale[t.seq] == 'csat' else '0-10'}): "
         "not an answer on its scale; kept as a normal reply") for t in mismatched]))
    chosen = [t for t in texts if t.seq in open_ and t not in mismatched]
    answers = [SurveyAnswer(token=open_[t.seq], score=t.score, answered_at=t.occurred_at, source="sms",
                            external_id=t.external_id, source_file=t.source_file, source_line=t.source_line)
               for t in chosen]
    report = land_answers(con, answers, now=now, answer_days=answer_days)
    reader.quarantine(con, quarantine_rows(report.refused))   # e.g. a 9 to a 1-5 survey: said why, still a reply
    refused = {id(a) for a, _ in report.refused}
    return {t.seq: a.token for t, a in zip(chosen, answers) if id(a) not in refused}
