"""The one-question survey page at the survey link (`[general] survey_link_base` + token).

    GET  <prefix><token>   the question in the borrower's language, score buttons, an optional comment
    POST <prefix><token>   form score [, comment] -> one record in <inbox>/survey_answers/, a thank-you page

Why a token file and not the database: DuckDB has one writer, and a read-only connection from
another process is refused while a flow holds the file, so the page (like the callback receiver)
never opens the database. The flows export what the page needs with `export_tokens` (token, scale,
language, expiry, answered: no name, number or comment; sql/surveys/token_export.sql) to a JSON
file the server re-reads when it changes, and the page's answers are JSON Lines files landed by
the ingest flow through the one landing function (intake.ingest_survey_answers), which re-checks
everything (the page's own checks are for the borrower's sake, not the record's).

A second answer is refused with a friendly page: the export's `answered`, plus every token answered
through this server since it started (and those in answer files still waiting in the inbox).
Safety: the token is in the path and answers are POSTed; the pages load nothing from outside (a
Content-Security-Policy of default-src 'none', inline style only, form-action 'self'); they may not
be framed; templates are rendered by jinja2's SandboxedEnvironment with autoescape. Logs say the
path's status, never a token's comment.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import duckdb
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

from loan_comms import db
from loan_comms.clock import utc_now
from loan_comms.inbound.callbacks import InboxWriter
from loan_comms.surveys.answers import MAX_COMMENT, PAGE_TAG, parse_score

log = logging.getLogger(__name__)
KIND = "survey_answers"                       # the inbox folder the page writes
TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")
SCALES = {"csat": range(1, 6), "nps": range(0, 11)}
PAGES = Path(__file__).with_name("pages")

TEXTS: dict[str, dict[str, Any]] = {
    "en": {"title": "A quick question", "comment": "Anything to add? (optional)",
           "how": "Tap a score to send your answer.",
           "question": {"csat": "How satisfied are you with how we contacted you?",
                        "nps": "How likely are you to recommend us to a friend?"},
           "low": {"csat": "1 very unsatisfied", "nps": "0 not at all"},
           "high": {"csat": "5 very satisfied", "nps": "10 very likely"},
           "thanks": "Thank you! Your answer was recorded.",
           "answered": "This survey has already been answered. Thank you!",
           "expired": "This survey has closed. Thank you for your time.",
           "unknown": "We could not find this survey. Please check the link.",
           "invalid": "Please choose one of the scores."},
    "zh-CN": {"title": "一个小问题", "comment": "还有什么想说的吗？（选填）",
              "how": "点一个分数即可提交。",
              "question": {"csat": "您对我们这次联系您的方式满意吗？",
                           "nps": "您有多大可能把我们推荐给朋友？"},
              "low": {"csat": "1 非常不满意", "nps": "0 完全不会"},
              "high": {"csat": "5 非常满意", "nps": "10 非常可能"},
              "thanks": "谢谢！您的回答已记录。",
              "answered": "这份问卷已经回答过了，谢谢！",
              "expired": "这份问卷已经结束，感谢您的时间。",
              "unknown": "找不到这份问卷，请检查链接。",
              "invalid": "请选择一个分数。"},
}

TOKENS_NAME = "survey_tokens.json"


def tokens_file_for(db_path: str | Path) -> Path:
    """Where the flows export the page data for a database: `survey_tokens.json` beside it (for the
    default book, data/survey_tokens.json, the survey server's default `--tokens`)."""
    return Path(db_path).resolve().parent / TOKENS_NAME


def export_tokens(con: duckdb.DuckDBPyConnection, path: str | Path, *, now: datetime | None = None) -> int:
    """Write the open surveys' page data to `path` (JSON, atomically); returns how many."""
    rows = db.rows(con, "surveys/token_export", {"now": now or utc_now()})
    doc = {r["token"]: {"scale": r["scale"], "language": r["language"],
                        "expires_at": r["expires_at"].astimezone(UTC).isoformat(), "answered": bool(r["answered"])}
           for r in rows}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    part.write_text(json.dumps(doc), encoding="utf-8")
    os.replace(part, path)
    return len(doc)


class TokenBook:
    """The exported tokens, re-read when the file changes; plus the tokens answered here."""

    def __init__(self, path: Path, inbox_folder: Path) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._tokens: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.answered: set[str] = set(self._waiting(inbox_folder))

    @staticmethod
    def _waiting(folder: Path) -> list[str]:
        """Tokens in answer files not yet landed (a restart must not take a second answer)."""
        out = []
        for f in folder.glob("*.jsonl") if folder.is_dir() else []:
            for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    out.append(str(json.loads(line)["token"]))
                except (ValueError, KeyError, TypeError):
                    continue
        return out

    def get(self, token: str) -> dict[str, Any] | None:
        with self._lock:
            try:
                st = self.path.stat()
                stamp = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = None
            if stamp is not None and stamp != self._stamp:
                try:
                    self._tokens = json.loads(self.path.read_text(encoding="utf-8"))
                    self._stamp = stamp
                except (OSError, ValueError):
                    log.warning("survey tokens file unreadable; keeping the previous one")
            return self._tokens.get(token)

    def claim(self, token: str) -> bool:
        """True the first time a token is answered here (atomic)."""
        with self._lock:
            if token in self.answered:
                return False
            self.answered.add(token)
            return True


class SurveyPage:
    """The survey page without a socket: `handle(method, target, body)` answers one request; answers are
    written by `writer` (started and stopped by whoever serves the page: SurveyServer, loan_comms.pages)."""

    def __init__(self, tokens_file: Path, inbox: Path, *, prefix: str = "/s/", flush_seconds: float = 5.0,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.writer = InboxWriter(inbox, flush_seconds, tag=PAGE_TAG)
        self.tokens = TokenBook(tokens_file, Path(inbox) / KIND)
        self.prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        self.clock = clock
        self.env = SandboxedEnvironment(loader=FileSystemLoader(str(PAGES)), autoescape=True)
        self.counts = {"shown": 0, "answered": 0, "refused": 0}

    def _page(self, mode: str, language: str, scale: str = "csat", action: str = "") -> bytes:
        lang = language if language in TEXTS else "en"
        return self.env.get_template("page.html.j2").render(
            mode=mode, lang=lang, t=TEXTS[lang], scale=scale, scores=list(SCALES[scale]), action=action).encode()

    def handle(self, method: str, target: str, body: bytes) -> tuple[int, bytes]:
        """(status, page) for one request."""
        path = urlsplit(target).path
        token = path[len(self.prefix):] if path.startswith(self.prefix) else ""
        info = self.tokens.get(token) if TOKEN.fullmatch(token) else None
        if info is None:
            return 404, self._page("unknown", "en")
        lang, scale = str(info.get("language")), str(info.get("scale"))
        if scale not in SCALES:
            return 404, self._page("unknown", lang)
        if info.get("answered") or token in self.tokens.answered:
            self.counts["refused"] += 1
            return 409, self._page("answered", lang, scale)
        now = self.clock()
        if datetime.fromisoformat(str(info["expires_at"])) < now:
            return 410, self._page("expired", lang, scale)
        if method == "GET":
            self.counts["shown"] += 1
            return 200, self._page("ask", lang, scale, action=path)
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        score = parse_score((form.get("score") or [""])[0])
        if score is None or score not in SCALES[scale]:
            return 400, self._page("invalid", lang, scale)
        if not self.tokens.claim(token):
            self.counts["refused"] += 1
            return 409, self._page("answered", lang, scale)
        comment = (form.get("comment") or [""])[0].strip()[:MAX_COMMENT] or None
        self.writer.add(KIND, {"token": token, "score": score, "comment": comment, "source": "web",
                               "answered_at": now.isoformat(), "external_id": f"web:{uuid.uuid4().hex}"})
        self.counts["answered"] += 1
        return 200, self._page("thanks", lang, scale)


class SurveyServer(SurveyPage):
    """The survey page on its own port (`loan-comms survey-server`): loan_comms.pages.PageServer with this
    one page; `start()` serves on a background thread, `stop()` flushes and closes.

    REQUEST_TIMEOUT: seconds a connection may sit idle mid-request (the handler's socket timeout):
    a client that opens a connection and never finishes its request (a slow or hostile phone
    network) is dropped instead of holding one of the server's threads for ever."""

    REQUEST_TIMEOUT: float = 10

    def __init__(self, tokens_file: Path, inbox: Path, *, host: str = "127.0.0.1", port: int = 0,
                 prefix: str = "/s/", flush_seconds: float = 5.0, clock: Callable[[], datetime] = utc_now) -> None:
        from loan_comms.pages import PageServer, Site

        super().__init__(tokens_file, inbox, prefix=prefix, flush_seconds=flush_seconds, clock=clock)
        self._server = PageServer([Site(self.prefix, self, self.writer.start, self.writer.stop)], host=host,
                                  port=port, timeout=self.REQUEST_TIMEOUT)
        self.httpd = self._server.httpd
        self.port = self._server.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    def start(self) -> "SurveyServer":
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()


def serve(tokens_file: Path, inbox: Path, port: int, *, host: str = "127.0.0.1", prefix: str = "/s/",
          flush_seconds: float = 5.0) -> None:
    """Run the page server until interrupted (the CLI's survey-server)."""
    srv = SurveyServer(tokens_file, inbox, host=host, port=port, prefix=prefix, flush_seconds=flush_seconds).start()
    print(f"survey page on {host}:{srv.port}{srv.prefix}<token> -> {Path(inbox) / KIND}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
