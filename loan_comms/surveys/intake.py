"""Survey answers from files and from an external survey service, into `record_answers`.

- A file drop, `<inbox>/survey_answers/` (or any file): JSON lines, a JSON list or CSV (`.gz` too),
  one answer per record with fields token, score [, comment, answered_at, external_id, source]. The
  web page (web.py) writes such files with source `web`, named `*-survey-page.jsonl`; only those,
  landed by the inbox flow (`page_files=True`), may say `web` (a record elsewhere that claims it is
  quarantined: the page's answers are the ones people typed on our page, and the report slices by
  channel). Any other record is source `file`; a pull's are always `pull`.
- A pull: GET a URL that answers a JSON list of {token, score, comment, answered_at [, id]} (an
  external survey service), over httpx. A non-object element is quarantined with its position; an
  answer that fails validation is quarantined like any other (source `pull:<url>`, line = position).

Both are replay-safe: an answer already landed is known, a refused record already quarantined is
not quarantined twice. Nothing here logs or prints a comment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

import duckdb
import httpx

from loan_comms.clock import utc_now
from loan_comms.errors import LoanCommsError
from loan_comms.inbound import drops, reader
from loan_comms.surveys.answers import (DEFAULT_ANSWER_DAYS, ENTITY, PAGE_TAG, AnswerReport, SurveyAnswer,
                                        record_answers)

FIELDS = ("token", "score", "comment", "answered_at", "external_id", "id", "source")
SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv")
NOT_WEB = "source 'web' is written only by the survey page (loan-comms survey-server); a file or pull cannot claim it"


class SurveyPullError(LoanCommsError):
    """The survey service could not be read at all (unreachable, an HTTP error, not a JSON list)."""


@dataclass
class IntakeReport:
    """One file drop or pull: the landing report plus the records refused before landing."""

    name: str
    answers: AnswerReport
    unreadable: list[str]             # "file:line: reason" of records that were not answers at all

    @property
    def quarantined(self) -> int:
        return len(self.unreadable) + len(self.answers.refused)

    def __str__(self) -> str:
        a = self.answers
        return reader.summary(self.name, "survey answers", a.read + len(self.unreadable), a.landed, a.known,
                              self.unreadable + a.reasons, ENTITY)


def _answer(row: Mapping[str, Any], source: str, now: datetime, file: str, line: int, raw: str) -> SurveyAnswer:
    answered, _ = drops.received_when(row.get("answered_at"), now)   # a future or unreadable date: when received
    ext = row.get("external_id") or row.get("id")
    return SurveyAnswer(token=row.get("token"), score=row.get("score"), comment=row.get("comment"),
                        answered_at=answered, source=source,
                        external_id=str(ext) if isinstance(ext, (str, int)) and not isinstance(ext, bool) else None,
                        source_file=file, source_line=line, raw=raw)


def ingest_survey_answers(con: duckdb.DuckDBPyConnection, path: str | Path, *, now: datetime | None = None,
                          encoding: str | None = None, page_files: bool = False,
                          answer_days: int = DEFAULT_ANSWER_DAYS) -> IntakeReport:
    """Land the answers of a file, or of every answer file in a directory, in one transaction.
    page_files: the survey page's own files (`*-survey-page.jsonl`) may carry source `web` (the
    inbox flow); anywhere else a record claiming `web` is quarantined. answer_days: [surveys]."""
    now = now or utc_now()
    answers: list[SurveyAnswer] = []
    bad: list[dict[str, Any]] = []
    unreadable: list[str] = []
    files = drops.files(Path(path), SUFFIXES)
    everything = [(f, reader.read_records(f, encoding=encoding, text_fields=FIELDS)) for f in files]
    for f, records in everything:
        for r in records:
            if r.row is None:
                problem = r.problem or "unreadable record"
                unreadable.append(f"{f.name}:{r.line}: {problem}")
                bad.append(reader.quarantine_row(f, r, ENTITY, problem))
                continue
            if r.row.get("source") == "web" and not (page_files and f.name.endswith(f"-{PAGE_TAG}.jsonl")):
                unreadable.append(f"{f.name}:{r.line}: {NOT_WEB}")
                bad.append(reader.quarantine_row(f, r, ENTITY, NOT_WEB))
                continue
            source = "web" if r.row.get("source") == "web" else "file"
            answers.append(_answer(r.row, source, now, str(f.resolve()), r.line, r.raw))
    report = record_answers(con, answers, now=now, quarantine=bad, answer_days=answer_days)
    return IntakeReport(name=Path(path).name, answers=report, unreadable=unreadable)


def _safe_url(url: str) -> str:
    """The URL without its query and credentials (a query may carry an API key)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def pull_survey_answers(con: duckdb.DuckDBPyConnection, url: str, *, client: httpx.Client | None = None,
                        headers: Mapping[str, str] | None = None, timeout: float = 30.0,
                        now: datetime | None = None, answer_days: int = DEFAULT_ANSWER_DAYS) -> IntakeReport:
    """GET `url` (a JSON list of answers) and land it. `client` lets tests pass an httpx.Client with a
    MockTransport; `headers` carry the service's credentials (never logged)."""
    now = now or utc_now()
    name = _safe_url(url)
    own = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        response = http.get(url, headers=dict(headers or {}))
    except httpx.HTTPError as exc:
        raise SurveyPullError(f"survey pull {name}: {type(exc).__name__}; nothing was landed") from None
    finally:
        if own:
            http.close()
    if response.status_code >= 400:
        raise SurveyPullError(f"survey pull {name}: HTTP {response.status_code}; nothing was landed")
    try:
        items = response.json()
    except ValueError:
        raise SurveyPullError(f"survey pull {name}: the answer is not JSON; nothing was landed") from None
    if not isinstance(items, list):
        raise SurveyPullError(f"survey pull {name}: expected a JSON list of answers; nothing was landed")
    source_file = f"pull:{name}"
    answers: list[SurveyAnswer] = []
    bad: list[dict[str, Any]] = []
    unreadable: list[str] = []
    for no, item in enumerate(items, start=1):
        raw = json.dumps(item, ensure_ascii=False, default=str)[:reader.RAW_LIMIT]
        if not isinstance(item, dict):
            unreadable.append(f"{name}:{no}: element is not a JSON object")
            bad.append(dict(source_file=source_file, source_line=no, entity=ENTITY, record_id=None,
                            reason="element is not a JSON object", raw=raw))
            continue
        answers.append(_answer(item, "pull", now, source_file, no, raw))
    report = record_answers(con, answers, now=now, quarantine=bad, answer_days=answer_days)
    return IntakeReport(name=source_file, answers=report, unreadable=unreadable)
