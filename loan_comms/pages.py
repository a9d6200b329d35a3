"""One borrower-facing HTTP server for the pages behind our links: the survey (/s/, loan_comms.surveys.web)
and the repayment plan (/p/, loan_comms.arrangements.web), on one port (`loan-comms pages`).

Each page is a *site*: a path prefix and a `handle(method, target, body) -> (status, html)` that
never touches the socket; this module owns the socket and the safety every page shares: the
survey page's headers (CSP default-src 'none', no framing, no referrer, no caching, nosniff), a
body limit (16 KiB: the forms are a few fields), a socket timeout of 10 s (a slow client cannot
hold a thread), and quiet logs (paths hold tokens: a log line says only the status).

The survey page on its own (`loan-comms survey-server`, surveys/web.SurveyServer) is this server with
one site; `survey_site` mounts the same page beside the plan page.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence
from urllib.parse import urlsplit

from loan_comms.clock import utc_now

log = logging.getLogger(__name__)
# Every page: nothing loaded from outside (inline style only, forms post to the page itself), never
# framed, no referrer, never cached, no type sniffing.
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                      "frame-ancestors 'none'; base-uri 'none'",
           "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
           "X-Content-Type-Options": "nosniff"}
MAX_BODY = 16 * 1024
SOCKET_TIMEOUT = 10.0
NOT_FOUND = (b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
             b"content=\"width=device-width, initial-scale=1\"><title>Not found</title></head>"
             b"<body><h1 id=\"unknown\">Page not found.</h1></body></html>")


class Handles(Protocol):
    def handle(self, method: str, target: str, body: bytes) -> tuple[int, bytes]: ...


@dataclass
class Site:
    """A page under `prefix`, with what must run beside it (its answer writer)."""

    prefix: str
    page: Handles
    start: Callable[[], Any] = lambda: None
    stop: Callable[[], Any] = lambda: None


def route(sites: Sequence[Site], method: str, target: str, body: bytes) -> tuple[int, bytes]:
    """The longest matching prefix's answer, else 404."""
    path = urlsplit(target).path
    for site in sorted(sites, key=lambda s: len(s.prefix), reverse=True):
        if path.startswith(site.prefix):
            return site.page.handle(method, target, body)
    return 404, NOT_FOUND


class PageServer:
    """Serves `sites` on one port; `start()` runs on a background thread, `stop()` flushes and closes."""

    def __init__(self, sites: Sequence[Site], *, host: str = "127.0.0.1", port: int = 0,
                 timeout: float = SOCKET_TIMEOUT) -> None:
        prefixes = [s.prefix for s in sites]
        if len(set(prefixes)) != len(prefixes):
            raise ValueError(f"two pages share a path prefix: {prefixes}")
        self.sites = list(sites)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt: str, *args: Any) -> None:   # paths hold tokens: quiet
                log.debug("page request")

            def _reply(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                for k, v in HEADERS.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                self._reply(*route(server.sites, "GET", self.path, b""))

            def do_POST(self) -> None:  # noqa: N802
                raw = self.headers.get("Content-Length") or "0"
                if not raw.isdigit() or int(raw) > MAX_BODY:   # negative, not a number, or too big: refused
                    self.send_error(413 if raw.isdigit() else 400, "bad Content-Length")
                    return
                self._reply(*route(server.sites, "POST", self.path, self.rfile.read(int(raw))))

        Handler.timeout = timeout      # a client that never finishes its request is dropped
        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.port = self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    def url(self, prefix: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{prefix}"

    def start(self) -> "PageServer":
        for s in self.sites:
            s.start()
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="pages", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        for s in self.sites:
            s.stop()


def _prefix(prefix: str) -> str:
    return "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"


def plan_site(offers_file: Path, inbox: Path, *, prefix: str = "/p/", flush_seconds: float = 5.0,
              clock: Callable[[], datetime] = utc_now) -> Site:
    from loan_comms.arrangements.web import PlanPage

    page = PlanPage(offers_file, inbox, prefix=prefix, flush_seconds=flush_seconds, clock=clock)
    return Site(page.prefix, page, page.start, page.stop)


def survey_site(tokens_file: Path, inbox: Path, *, prefix: str = "/s/", flush_seconds: float = 5.0,
                clock: Callable[[], datetime] = utc_now) -> Site:
    from loan_comms.surveys.web import SurveyPage

    survey = SurveyPage(tokens_file, inbox, prefix=prefix, flush_seconds=flush_seconds, clock=clock)
    return Site(survey.prefix, survey, survey.writer.start, survey.writer.stop)


def serve(sites: Sequence[Site], port: int, *, host: str = "127.0.0.1") -> None:
    """Run the server until interrupted (the CLI's `pages` and `plan-server`)."""
    srv = PageServer(sites, host=host, port=port).start()
    print(f"pages on {host}:{srv.port}: " + ", ".join(f"{s.prefix}<token>" for s in srv.sites), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
