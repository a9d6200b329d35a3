"""Survey answers in: ONE landing function, whatever carried the answer (an SMS score, the web page,
a pull from a survey service, a file drop).

`record_answers` (or `land_answers` inside a caller's transaction) validates each answer on its own
and lands the good ones in `survey_answers`; every refused one goes to `import_quarantine` (entity
`survey_answer`) with its file and line (or its source, e.g. `pull:<url>`) and one reason:

- the token is missing or no survey has it                       (`unknown token ...`)
- the score is not a whole number                                 (`score is not a number`)
- the score is outside the invitation's scale: csat 1-5, nps 0-10 (`score N is outside ...`)
- it was answered before the survey was sent (or before its planned day, unsent)
                                                                  (`answered before the survey was sent ...`)
- it was answered after the invitation expired, or reached us more than answer_days after that
  whatever answered_at claims (a late file cannot date itself back) (`expired token ...`)
- the survey already has a different answer: the first stands     (`second answer to this survey ...`)

The same answer landed again (a re-read file, a repeated pull, a re-ingested SMS) is a no-op, not a
quarantine: identical means the same score, comment, source and external id. Reports carry counts,
files, lines and reasons, never a comment (free text may hold personal data). SQL: sql/surveys/.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.clock import utc_now
from loan_comms.inbound import reader
from loan_comms.surveys.config import Surveys

SOURCES = ("sms", "web", "pull", "file")
PAGE_TAG = "survey-page"          # the survey page's inbox files end -survey-page.jsonl (web.py); only they say 'web'
DEFAULT_ANSWER_DAYS: int = Surveys.model_fields["answer_days"].default   # [surveys].answer_days when none is given
ENTITY = "survey_answer"          # import_quarantine.entity of a refused answer
MAX_COMMENT = 2000                # characters of a comment kept
MAX_TOKEN = 64                    # a longer "token" is no token of ours (and is not stored whole)

_SCHEMA = pa.schema([
    ("seq", pa.int64()), ("token", pa.string()), ("score", pa.int64()), ("comment", pa.string()),
    ("answered_at", pa.timestamp("us", tz="UTC")), ("source", pa.string()), ("external_id", pa.string()),
])
_OK_SCHEMA = pa.schema([f for f in _SCHEMA if f.name != "seq"])


@dataclass(frozen=True)
class SurveyAnswer:
    """One answer as it arrived. `score` as given (an int, or text such as "4" or "４": parsed here);
    `answered_at` None means "when it reached us" (`now`). `source_file` / `source_line` / `raw`:
    where it was read, for the quarantine (a pull names `pull:<url>` and the element's position)."""

    token: Any
    score: Any
    answered_at: datetime | None
    source: str
    comment: Any = None
    external_id: str | None = None
    source_file: str | None = None
    source_line: int = 0
    raw: str | None = None


@dataclass
class AnswerReport:
    """What landing a batch did: counts and reasons (with file and line), never a comment."""

    read: int = 0
    landed: int = 0
    known: int = 0                    # the same answer was already landed (or twice in this batch)
    refused: list[tuple[SurveyAnswer, str]] = field(default_factory=list)
    landed_tokens: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [f"{_where(a)}: {why}" for a, why in self.refused]

    def __str__(self) -> str:
        return reader.summary("survey answers", "answers", self.read, self.landed, self.known, self.reasons, ENTITY)


def _where(a: SurveyAnswer) -> str:
    name = (a.source_file or f"<{a.source}>").rsplit("/", 1)[-1]
    return f"{name}:{a.source_line}"


def parse_score(value: Any) -> int | None:
    """A whole-number score from an int or a text ("4", " 5 ", "４" in full-width, "7.0"), else None.
    A bool, a fraction or anything else is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if text.lstrip("+-").isdigit() and text.isascii():
            return int(text)
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() and abs(number) < 1e9 else None
    return None


def _comment(value: Any) -> tuple[str | None, str | None]:
    """(comment, problem): text trimmed and capped, empty -> None; a list or object is a problem."""
    if value is None:
        return None, None
    if isinstance(value, (list, dict)):
        return None, "comment must be text"
    text = str(value).strip()
    return (text[:MAX_COMMENT] or None), None


def _first_problem(a: SurveyAnswer) -> str | None:
    if not isinstance(a.token, str) or not a.token.strip():
        return "unknown token (the answer carries none)"
    if len(a.token) > MAX_TOKEN:
        return "unknown token (too long to be one of ours)"
    if a.source not in SOURCES:
        return f"source {a.source!r} is not one of {', '.join(SOURCES)}"
    if parse_score(a.score) is None:
        return "score is not a number" if a.score not in (None, "") else "no score"
    return _comment(a.comment)[1]


def land_answers(con: duckdb.DuckDBPyConnection, answers: Sequence[SurveyAnswer], *,
                 now: datetime | None = None, answer_days: int = DEFAULT_ANSWER_DAYS) -> AnswerReport:
    """Validate and land `answers` INSIDE the caller's transaction; refused ones are returned in the
    report (record_answers quarantines them). The first acceptable answer to a survey wins, in the
    order given; replay-safe (an answer already landed is counted as known). `now` is when they
    reached us: more than `answer_days` ([surveys].answer_days) after a survey's expiry its answer is
    expired, whatever answered_at says."""
    now = now or utc_now()
    report = AnswerReport(read=len(answers))
    batch: list[dict[str, Any]] = []
    for seq, a in enumerate(answers):
        if (problem := _first_problem(a)) is not None:
            report.refused.append((a, problem))
            continue
        batch.append(dict(seq=seq, token=a.token.strip(), score=parse_score(a.score), comment=_comment(a.comment)[0],
                          answered_at=a.answered_at or now, source=a.source,
                          external_id=(str(a.external_id)[:200] if a.external_id not in (None, "") else None)))
    if not batch:
        return report
    with db.registered(con, pa.Table.from_pylist(batch, schema=_SCHEMA), "_answers"):
        checks = {r["seq"]: r for r in db.rows(con, "surveys/answers_check", {"now": now, "answer_days": answer_days})}
    taken: dict[str, dict[str, Any]] = {}
    ok: list[dict[str, Any]] = []
    for row in batch:
        check, a = checks[row["seq"]], answers[row["seq"]]
        first = taken.get(row["token"])
        if check["problem"] is not None:
            report.refused.append((a, check["problem"]))
        elif check["known"]:
            report.known += 1
        elif first is not None:
            same = all(first[k] == row[k] for k in ("score", "comment", "source", "external_id"))
            if same:
                report.known += 1
            else:
                report.refused.append((a, "second answer to this survey in the same batch (the first stands)"))
        else:
            taken[row["token"]] = row
            ok.append({k: v for k, v in row.items() if k != "seq"})
    if ok:
        with db.registered(con, pa.Table.from_pylist(ok, schema=_OK_SCHEMA), "_answers_ok"):
            report.landed = db.changed(con, "surveys/answers_insert", {"now": now})
        report.landed_tokens = [r["token"] for r in ok]
    return report


def quarantine_rows(refused: Sequence[tuple[SurveyAnswer, str]]) -> list[dict[str, Any]]:
    """import_quarantine rows for refused answers (entity survey_answer; the raw row as read)."""
    out = []
    for a, why in refused:
        rid = a.token.strip()[:MAX_TOKEN] if isinstance(a.token, str) and a.token.strip() else None
        raw = a.raw if a.raw is not None else json.dumps(
            {"token": a.token, "score": a.score, "comment": a.comment, "source": a.source,
             "external_id": a.external_id, "answered_at": a.answered_at.isoformat() if a.answered_at else None},
            ensure_ascii=False, default=str)
        out.append(dict(source_file=a.source_file or f"<{a.source}>", source_line=a.source_line, entity=ENTITY,
                        record_id=rid, reason=why[:500], raw=raw[:reader.RAW_LIMIT]))
    return out


def record_answers(con: duckdb.DuckDBPyConnection, answers: Sequence[SurveyAnswer], *, now: datetime | None = None,
                   quarantine: Sequence[dict[str, Any]] = (), answer_days: int = DEFAULT_ANSWER_DAYS) -> AnswerReport:
    """Land `answers` and quarantine the refused ones (and the caller's own refused records,
    `quarantine`) in one transaction."""
    with db.transaction(con):
        report = land_answers(con, answers, now=now, answer_days=answer_days)
        reader.quarantine(con, [*quarantine, *quarantine_rows(report.refused)])
    return report
