"""The dialer hand-off: each assigned call reaches the dialer once and only once, and a call the
policy withdrew is cancelled there once.

A pass for one plan day (`push_calls`, run by `loan-comms call-queue --push`, the call-queue
deployment after the queue is built, and after every dispatch pass, whose re-check before sending
may suppress a call the dialer already holds):

1. finds the calls the dialer should hold now (sql/calls/dialer/desired*.sql: assigned, still
   planned or released, with a number), each with its payload, which carries the UNMASKED number
   (the only place it is) and nothing else personal;
2. **settles the doubtful**: a claim a crashed pass left 'sending' becomes 'unknown'; unknown pushes
   whose last try is reconcile_after_seconds old are looked up in the dialer's list (GET
   /v1/calls?ref=...): held -> sent (with its id), absent -> pending only while the dialer cannot
   have dialled it (its slot not begun, no outcome back), else they stay unknown for a person (a
   dialer that drops completed calls would dial twice). No answer: they stay unknown, and are
   NEVER sent again on a guess;
3. records new calls as pending; a call that is no longer wanted is 'withdrawn' when it never
   reached the dialer, 'cancel_due' when the dialer holds it (or holds an older agent/slot of it);
4. **cancels** each cancel_due call (DELETE /v1/calls/{id}, idempotent, so re-sent until confirmed):
   a withdrawn call ends 'cancelled'; a changed one goes back to pending with the old id kept, and
   the new payload is pushed after the old one is gone (never two live copies);
5. **pushes** the pending calls in batches of `batch`: claimed (committed) before each request; a
   request that certainly did not arrive (connection refused, 408, 429 with its Retry-After) is
   tried again up to max_tries with backoff; one that may have arrived (timeout after sending, reset,
   5xx, a 2xx we cannot read) leaves its calls 'unknown'; a refusal every request would meet (401,
   403, 404, 405: credentials, no endpoint) stops the pass and settles its batch back to 'pending'
   with the error (loud; pushed once fixed); any other 4xx is 'failed'.

Why: the dialer, like Twilio and SendGrid, does not deduplicate, so a blind retry would queue a call
twice and a borrower would be dialled twice (docs/collectors/dialer.md, docs/delivery.md "Exactly
once"). At most once always; exactly once when the dialer's list answers.

kind "file" writes the same payloads as one JSONL per team in `folder/<plan_date>/` (mode 0600,
atomically; a re-run writes the same bytes, and a withdrawn call is gone from the next version).

The report says what the pass did and what needs a person (unknown, failed, cancel_due or pending
calls left, a halted pass): the CLI exits 1 and the flows fail loudly with the counts.
"""

from __future__ import annotations

import json
import os
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Literal

import duckdb
import httpx
import pyarrow as pa

from loan_comms import db
from loan_comms.atomic_files import write_atomically
from loan_comms.calls.roster import DialerSettings, Roster, file_names, team_slug
from loan_comms.clock import utc_now
from loan_comms.delivery.providers.http import _NOT_SENT, _retry_after_seconds, answer_text
from loan_comms.delivery.providers.secrets import SecretValue, resolve_secret
from loan_comms.errors import LoanCommsError
from loan_comms.ops.alerting import Alert

URL_ENV = "LOAN_COMMS_DIALER_URL"
TOKEN_ENV = "LOAN_COMMS_DIALER_TOKEN"
CALLS_PATH = "/v1/calls"
LOOKUP_CHUNK = 50                 # refs per GET (a URL stays short)
MAX_RETRY_AFTER_SECONDS = 30.0    # a longer Retry-After ends the pass's tries (the rest waits, loud)
BACKOFF_BASE_SECONDS = 0.25
BACKOFF_MAX_SECONDS = 8.0
# States that leave work for a later pass or a person (everything but sent, cancelled, withdrawn, filed).
OPEN_STATES = ("pending", "sending", "unknown", "failed", "cancel_due")

Verdict = Literal["sent", "not_sent", "unknown", "failed"]


class DialerConfigError(LoanCommsError, ValueError):
    """[dialer] cannot be used as set; names the key (never a secret value)."""

    exit_code = 2


class DialerPushFailed(LoanCommsError, RuntimeError):
    """A pass left calls that need a person or a later pass (counts in the message, ids in the report)."""

    exit_code = 1

    def __init__(self, report: "DialerReport") -> None:
        super().__init__(f"dialer hand-off needs attention: {report}")
        self.report = report


@dataclass(frozen=True)
class HttpDialer:
    """Where and how calls are pushed: resolved once per pass, before anything is written."""

    url: str
    token: SecretValue
    timeout_seconds: float
    max_tries: int
    batch: int
    reconcile_after_seconds: int

    def headers(self, json_body: bool = False) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token.get()}", "Accept": "application/json"}
        if json_body:
            h["Content-Type"] = "application/json"
        return h


def http_dialer(settings: DialerSettings) -> HttpDialer:
    """The http dialer of [dialer] (env LOAN_COMMS_DIALER_URL wins over `url`); a missing url or
    token is one line (DialerConfigError / MissingSecret) before the pass writes anything."""
    url = (os.environ.get(URL_ENV) or settings.url or "").strip().rstrip("/")
    if not url:
        raise DialerConfigError(f'dialer.url: required when dialer.kind = "http" (or set {URL_ENV})')
    if not url.startswith(("http://", "https://")):
        raise DialerConfigError(f"{URL_ENV}: must start with http:// or https://")
    token = resolve_secret(TOKEN_ENV, settings.token_block or None,
                           what='dialer.kind is "http" but the dialer has no bearer token')
    return HttpDialer(url=url, token=token, timeout_seconds=settings.timeout_seconds, max_tries=settings.max_tries,
                      batch=settings.batch, reconcile_after_seconds=settings.reconcile_after_seconds)


def file_folder(settings: DialerSettings, db_path: str | Path | None) -> Path:
    """Where kind "file" drops its JSONL files: `folder`, else <db dir>/exports/dialer."""
    if settings.folder:
        return Path(settings.folder)
    base = Path(db_path).resolve().parent if db_path else Path.cwd()
    return base / "exports" / "dialer"


# --- the wire: one request, classified -------------------------------------------------------------

@dataclass(frozen=True)
class Try:
    """What one request came to: sent (the dialer's ids by ref), certainly not arrived, may have
    arrived, or refused; `halt`: a refusal every later request would meet (credentials, no endpoint)."""

    verdict: Verdict
    detail: str
    status: int | None = None
    ids: dict[str, str] = field(default_factory=dict)
    retry_after: float | None = None
    halt: bool = False


def post_calls(client: httpx.Client, dialer: HttpDialer, body: bytes) -> Try:
    """POST one batch once (the caller retries only what certainly did not arrive)."""
    try:
        response = client.post(dialer.url + CALLS_PATH, content=body, headers=dialer.headers(json_body=True))
    except _NOT_SENT as exc:                       # refused, DNS, connect timeout: it never left
        return Try("not_sent", f"not sent: could not connect ({type(exc).__name__})")
    except httpx.TimeoutException as exc:          # written, no answer in time: it may have arrived
        return Try("unknown", f"outcome unknown: no answer within {dialer.timeout_seconds:g}s after sending "
                              f"({type(exc).__name__})")
    except httpx.HTTPError as exc:                 # reset or closed after sending
        return Try("unknown", f"outcome unknown: connection lost after sending ({type(exc).__name__})")
    code = response.status_code
    if 200 <= code < 300:
        try:
            ids = {str(c["ref"]): str(c["id"]) for c in response.json()["calls"]}
        except (ValueError, KeyError, TypeError):
            return Try("unknown", f"outcome unknown: {code} answer without the calls' ids", code)
        return Try("sent", f"sent ({code})", code, ids)
    if code in (408, 429):
        wait = _retry_after_seconds(response.headers.get("retry-after")) if code == 429 else None
        return Try("not_sent", f"not sent: {code} {answer_text(response)}".strip(), code, retry_after=wait)
    if code >= 500:
        return Try("unknown", f"outcome unknown: {code} {answer_text(response)}".strip(), code)
    return Try("failed", f"refused: {code} {answer_text(response)}".strip(), code, halt=code in (401, 403, 404, 405))


def list_calls(client: httpx.Client, dialer: HttpDialer, refs: list[str]) -> dict[str, list[str]] | None:
    """The dialer's ids of the calls it holds with these refs (ref -> ids; absent refs missing), or
    None when the list gave no usable answer (the calls stay unknown)."""
    found: dict[str, list[str]] = {}
    for i in range(0, len(refs), LOOKUP_CHUNK):
        params = httpx.QueryParams([("ref", r) for r in refs[i:i + LOOKUP_CHUNK]])
        try:
            response = client.get(dialer.url + CALLS_PATH, params=params, headers=dialer.headers())
            if response.status_code != 200:
                return None
            for c in response.json()["calls"]:
                found.setdefault(str(c["ref"]), []).append(str(c["id"]))
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            return None
    return found


def cancel_call(client: httpx.Client, dialer: HttpDialer, dialer_ref: str) -> tuple[bool, bool, str | None]:
    """DELETE one call at the dialer: (done, absent, error). 2xx: cancelled; 404: it holds no such
    call (nothing to dial now: done too, and absent, which settle_cancels.sql weighs before any
    re-push). Anything else: not done, sent again next pass (DELETE is idempotent)."""
    try:
        response = client.delete(f"{dialer.url}{CALLS_PATH}/{dialer_ref}", headers=dialer.headers())
    except httpx.HTTPError as exc:
        return False, False, f"cancel not confirmed: {type(exc).__name__}"
    if 200 <= response.status_code < 300:
        return True, False, None
    if response.status_code == 404:
        return True, True, "the dialer holds no such call (404): nothing to dial"
    return False, False, f"cancel not confirmed: {response.status_code} {answer_text(response)}".strip()


# --- the report ------------------------------------------------------------------------------------

@dataclass
class DialerReport:
    """What one pass did for a plan day, and the day's totals after it (counts and ids only)."""

    plan_date: date
    kind: str
    wanted: int = 0                 # calls the dialer should hold now
    no_number: int = 0              # assigned calls with no number to dial (left out)
    crashed: int = 0                # claims a stopped pass left 'sending', now unknown
    found: int = 0                  # unknown pushes the dialer's list holds (sent)
    absent: int = 0                 # unknown pushes it does not hold and cannot have dialled yet (pending again)
    absent_unsure: int = 0          # absent (list or a DELETE's 404) but it may have dialled them: unknown, a person checks
    lookup_failed: int = 0          # unknown pushes the list could not settle (stay unknown)
    posts: int = 0                  # requests made
    retried: int = 0                # requests that certainly did not arrive and were tried again
    pushed: int = 0                 # calls the dialer took this pass
    unknown: int = 0                # calls whose request may have arrived (looked up next pass)
    not_sent: int = 0               # calls left pending after max_tries
    failed: int = 0                 # calls refused (4xx)
    withdrawn: int = 0              # no longer wanted before they ever reached the dialer
    cancelled: int = 0              # cancelled at the dialer this pass (withdrawn by the policy)
    replaced: int = 0               # cancelled because the agent or slot changed (pushed anew)
    cancel_failed: int = 0          # DELETEs not confirmed (sent again next pass)
    filed: int = 0                  # kind file: calls in the day's files
    files: list[str] = field(default_factory=list)
    halted: str | None = None
    totals: dict[str, int] = field(default_factory=dict)
    attention: list[dict[str, Any]] = field(default_factory=list)

    @property
    def needs_operator(self) -> bool:
        """Calls left unknown, failed, pending or still held after a withdrawal, or a pass that stopped."""
        return bool(self.attention) or self.halted is not None

    def __str__(self) -> str:
        if self.kind == "none":
            return f"dialer {self.plan_date}: none configured ([dialer] kind = \"none\"); nothing pushed"
        if self.kind == "file":
            return (f"dialer {self.plan_date}: {self.filed} calls in {len(self.files)} team files, "
                    f"{self.withdrawn} withdrawn, {self.no_number} without a number")
        t = self.totals
        line = (f"dialer {self.plan_date}: {self.wanted} calls wanted; pushed {self.pushed} in {self.posts} requests "
                f"({self.retried} retried), unknown {self.unknown}, not sent {self.not_sent}, failed {self.failed}; "
                f"cancelled {self.cancelled}, replaced {self.replaced}, withdrawn {self.withdrawn}, "
                f"cancel not confirmed {self.cancel_failed}; looked up: found {self.found}, absent {self.absent}, "
                f"no answer {self.lookup_failed}; crashed claims {self.crashed}")
        if self.absent_unsure:
            line += (f"; {self.absent_unsure} absent at the dialer after it may have dialled them: NOT pushed "
                     f"again, a person must check")
        if self.no_number:
            line += f"; {self.no_number} without a number"
        line += "; totals: " + (", ".join(f"{k} {v}" for k, v in sorted(t.items())) or "none")
        if self.halted:
            line += f"; stopped: {self.halted}"
        return line

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items()
                if k != "attention"} | {"attention": len(self.attention)}

    def markdown(self) -> str:
        lines = [f"# Dialer hand-off for {self.plan_date}", "", str(self), ""]
        if self.totals:
            lines += ["| state | calls |", "|---|---:|"] + [f"| {k} | {v} |" for k, v in sorted(self.totals.items())]
        if self.attention:
            lines += ["", "Needs attention (first 20):", "", "| attempt | team | state | tries | error |",
                      "|---|---|---|---:|---|"]
            lines += [f"| {a['attempt_id']} | {a['team']} | {a['state']} | {a['tries']} | {a['error'] or ''} |"
                      for a in self.attention[:20]]
        return "\n".join(lines) + "\n"

    def alert(self, flow: str) -> Alert | None:
        """The operator alert (ids and counts only), or None when nothing needs a person."""
        if not self.needs_operator:
            return None
        ids = ", ".join(f"{a['attempt_id']} ({a['state']})" for a in self.attention[:5])
        more = " ..." if len(self.attention) > 5 else ""
        text = f"{len(self.attention)} call(s) need attention at the dialer: {ids}{more}" if ids else ""
        if self.halted:
            text = (text + "; " if text else "") + f"dialer hand-off stopped: {self.halted}"
        return Alert(kind="dialer_push", flow=flow, as_of=self.plan_date.isoformat(),
                     counts={k: int(v) for k, v in self.totals.items()}, text=text)


# --- the pass --------------------------------------------------------------------------------------

def push_calls(con: duckdb.DuckDBPyConnection, roster: Roster | None, plan_date: date, *,
               db_path: str | Path | None = None, now: datetime | None = None, client: httpx.Client | None = None,
               sleep: Callable[[float], None] = time.sleep) -> DialerReport:
    """Hand plan day `plan_date`'s assigned calls to the configured dialer (see the module doc).
    Never inside a caller's transaction: a claim must be committed before its request leaves."""
    settings = roster.dialer if roster is not None else DialerSettings()
    report = DialerReport(plan_date=plan_date, kind=settings.kind)
    if settings.kind == "none":
        return report
    dialer = http_dialer(settings) if settings.kind == "http" else None   # config problems before any write
    now = now or utc_now()
    params = {"plan_date": plan_date, "now": now}
    db.run(con, "calls/dialer/desired", params)
    db.run(con, "calls/dialer/desired_payloads")
    counts = db.rows(con, "calls/dialer/desired_counts")[0]
    report.wanted, report.no_number = int(counts["wanted"]), int(counts["no_number"])
    if dialer is None:
        _file(con, file_folder(settings, db_path), plan_date, now, report)
    else:
        own = client is None
        http = client or httpx.Client(timeout=dialer.timeout_seconds)
        try:
            _settle_unknown(con, http, dialer, plan_date, now, report)
            _reconcile_wanted(con, plan_date, now, report, state="pending")
            _cancel(con, http, dialer, plan_date, now, report)
            _push(con, http, dialer, plan_date, now, report, sleep)
        finally:
            if own:
                http.close()
        report.attention = db.rows(con, "calls/dialer/attention", {"plan_date": plan_date})
    report.totals = {r["state"]: int(r["calls"]) for r in db.rows(con, "calls/dialer/counts", {"plan_date": plan_date})}
    return report


def _reconcile_wanted(con: duckdb.DuckDBPyConnection, plan_date: date, now: datetime, report: DialerReport, *,
                      state: str) -> None:
    """New wanted calls recorded (in `state`); changed ones refreshed; unwanted ones withdrawn or due
    for a cancel at the dialer. One transaction: the table never shows half a day's view."""
    params = {"plan_date": plan_date, "now": now, "state": state}
    with db.transaction(con):
        before = _count(con, plan_date, "withdrawn")
        db.run(con, "calls/dialer/enqueue", params)
        db.run(con, "calls/dialer/refresh", params)
        db.run(con, "calls/dialer/withdraw", params)
        report.withdrawn += _count(con, plan_date, "withdrawn") - before


def _count(con: duckdb.DuckDBPyConnection, plan_date: date, state: str) -> int:
    return int(db.value(con, "calls/dialer/state_count", {"plan_date": plan_date, "state": state}))


def _settle_unknown(con: duckdb.DuckDBPyConnection, http: httpx.Client, dialer: HttpDialer, plan_date: date,
                    now: datetime, report: DialerReport) -> None:
    """Crashed claims become unknown; unknown pushes old enough are looked up in the dialer's list."""
    report.crashed = db.changed(con, "calls/dialer/crashed", {"plan_date": plan_date, "now": now})
    cutoff = now - timedelta(seconds=dialer.reconcile_after_seconds)
    refs = [r["attempt_id"] for r in db.rows(con, "calls/dialer/lookup_due", {"plan_date": plan_date, "cutoff": cutoff})]
    if not refs:
        return
    found = list_calls(http, dialer, refs)
    if found is None:
        report.lookup_failed = len(refs)
        return
    asked = pa.table({"attempt_id": pa.array(refs, pa.string())})
    pairs = [(ref, i) for ref, ids in found.items() for i in ids]
    held = pa.table({"ref": pa.array([p[0] for p in pairs], pa.string()),
                     "dialer_id": pa.array([p[1] for p in pairs], pa.string())})
    with db.transaction(con):
        db.temp_table(con, "dialer_asked", asked)
        db.temp_table(con, "dialer_found", held)
        db.run(con, "calls/dialer/settle_lookup", {"now": now})
    report.found = sum(1 for r in refs if r in found)
    still = int(db.value(con, "calls/dialer/asked_unknown"))
    report.absent_unsure += still
    report.absent = len(refs) - report.found - still


def _cancel(con: duckdb.DuckDBPyConnection, http: httpx.Client, dialer: HttpDialer, plan_date: date,
            now: datetime, report: DialerReport) -> None:
    """DELETE every call the dialer holds and must not dial; record the answers in one statement."""
    due = db.rows(con, "calls/dialer/cancel_due", {"plan_date": plan_date})
    if not due:
        return
    done, absent, errors = [], [], []
    for row in due:
        ok, gone, error = cancel_call(http, dialer, row["dialer_ref"])
        done.append(ok)
        absent.append(gone)
        errors.append(error)
    results = pa.table({"attempt_id": pa.array([r["attempt_id"] for r in due], pa.string()),
                        "done": pa.array(done, pa.bool_()), "absent": pa.array(absent, pa.bool_()),
                        "error": pa.array(errors, pa.string())})
    with db.transaction(con):
        before = {s: _count(con, plan_date, s) for s in ("cancelled", "pending", "unknown")}
        db.temp_table(con, "dialer_cancel_results", results)
        db.run(con, "calls/dialer/settle_cancels", {"now": now})
        report.cancelled += _count(con, plan_date, "cancelled") - before["cancelled"]
        report.replaced += _count(con, plan_date, "pending") - before["pending"]
        report.absent_unsure += _count(con, plan_date, "unknown") - before["unknown"]
    report.cancel_failed += done.count(False)


def _backoff(tries: int) -> float:
    """Exponential backoff with jitter: base * 2^(n-1), capped, times a random 0.5..1."""
    return min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2.0 ** (tries - 1)) * random.uniform(0.5, 1.0)


def _claim(con: duckdb.DuckDBPyConnection, ids: list[str], frm: str, now: datetime) -> list[str]:
    return [r[0] for r in db.run(con, "calls/dialer/claim", {"ids": ids, "from": frm, "now": now}).fetchall()]


def _push(con: duckdb.DuckDBPyConnection, http: httpx.Client, dialer: HttpDialer, plan_date: date, now: datetime,
          report: DialerReport, sleep: Callable[[float], None]) -> None:
    """POST the pending calls in batches, each batch claimed (committed) before every try."""
    due = db.rows(con, "calls/dialer/push_due", {"plan_date": plan_date})
    for i in range(0, len(due), dialer.batch):
        chunk = due[i:i + dialer.batch]
        claimed = _claim(con, [r["attempt_id"] for r in chunk], "pending", now)
        if not claimed:
            continue
        mine = set(claimed)
        body = ("[" + ",".join(r["payload"] for r in chunk if r["attempt_id"] in mine) + "]").encode("utf-8")
        tries = 0
        while True:
            tries += 1
            out = post_calls(http, dialer, body)
            report.posts += 1
            if out.verdict != "not_sent" or tries >= dialer.max_tries:
                break
            wait = _backoff(tries) if out.retry_after is None else out.retry_after
            if wait > MAX_RETRY_AFTER_SECONDS:
                break
            report.retried += 1
            sleep(wait)
            claimed = _claim(con, claimed, "sending", now)     # one more try, recorded before it leaves
        _settle_push(con, claimed, out, now, report)
        if out.verdict == "not_sent":
            report.halted = (f"the dialer did not take a request after {tries} tries ({out.detail}); "
                             f"the rest stays pending for the next pass")
        elif out.halt:
            report.halted = (f"the dialer refused us ({out.status}): check dialer.url and the token; "
                             f"the rest stays pending")
        if report.halted:
            break


def _settle_push(con: duckdb.DuckDBPyConnection, claimed: list[str], out: Try, now: datetime,
                 report: DialerReport) -> None:
    """Record one request's outcome for each of its calls (one statement)."""
    states, refs, errors = [], [], []
    for aid in claimed:
        if out.verdict == "sent":
            ref = out.ids.get(aid)
            states.append("sent" if ref else "unknown")
            refs.append(ref)
            errors.append(None if ref else "outcome unknown: the dialer's answer did not list this call")
        elif out.halt:    # refused us (credentials, no endpoint): nothing arrived; pushed again once fixed
            states.append("pending")
            refs.append(None)
            errors.append(out.detail + ": back to pending, pushed again once the dialer takes our requests")
        else:
            states.append({"not_sent": "pending", "unknown": "unknown", "failed": "failed"}[out.verdict])
            refs.append(None)
            errors.append(out.detail)
    for s in states:
        if s == "sent":
            report.pushed += 1
        elif s == "pending":
            report.not_sent += 1
        else:
            setattr(report, s, getattr(report, s) + 1)
    results = pa.table({"attempt_id": pa.array(claimed, pa.string()), "state": pa.array(states, pa.string()),
                        "dialer_ref": pa.array(refs, pa.string()), "error": pa.array(errors, pa.string())})
    with db.transaction(con):
        db.temp_table(con, "dialer_push_results", results)
        db.run(con, "calls/dialer/settle_pushes", {"now": now})


def _file(con: duckdb.DuckDBPyConnection, folder: Path, plan_date: date, now: datetime, report: DialerReport) -> None:
    """One JSONL per team under folder/<plan_date>/ (0600, atomic), the same bytes on every re-run; a
    team file of that day whose calls are all withdrawn is rewritten empty."""
    day_dir = folder / plan_date.isoformat()
    day_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    rows = db.rows(con, "calls/dialer/file_rows")
    file_names("teams", sorted({r["team"] for r in rows}), team_slug)   # two teams, one file: stop
    by_team: dict[str, list[str]] = {}
    for r in rows:
        by_team.setdefault(team_slug(r["team"]), []).append(r["payload"])
    for old in day_dir.glob("*.jsonl"):
        by_team.setdefault(old.stem, [])
    for slug, payloads in sorted(by_team.items()):
        path = day_dir / f"{slug}.jsonl"
        write_atomically(path, "".join(p + "\n" for p in payloads).encode("utf-8"), mode=0o600)
        report.files.append(str(path))
    report.filed = sum(len(p) for p in by_team.values())
    _reconcile_wanted(con, plan_date, now, report, state="filed")


def open_days(con: duckdb.DuckDBPyConnection, around: date) -> list[date]:
    """Plan days near `around` (the day before to the day after) whose calls were handed to a dialer:
    what a dispatch pass re-syncs after its re-check (a suppressed call is cancelled at the dialer)."""
    return [r["plan_date"] for r in db.rows(con, "calls/dialer/open_days", {"around": around})]


def payloads_of(text: str) -> list[dict[str, Any]]:
    """The calls of one dialer JSONL file (for tests and operators checking a drop)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]
