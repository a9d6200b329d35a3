"""Serving the studio: uvicorn on a thread (tests, `loan-comms studio serve`), on 127.0.0.1 by default.

The studio is for people on the lender's own network: it listens on loopback unless told otherwise,
and `serve` says so when it is told to listen wider. Behind TLS, set `secure_cookies` so the session
cookie is never sent in clear.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from loan_comms.studio.service import Studio
from loan_comms.studio.web import Usage, create_app


def usage_reader(path: Path | None) -> Usage:
    """The daily plan's export of contacts per template (JSON beside the book), re-read when it changes;
    {} while there is none (the studio never opens the book: the run is its one writer)."""
    state: dict[str, Any] = {"mtime": None, "data": {}}

    def read() -> dict[str, Any]:
        if path is None:
            return {}
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            return {}
        if mtime != state["mtime"]:
            try:
                state["data"] = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:   # half-read during a write cannot happen (atomic), but never fail a page
                return state["data"]  # type: ignore[no-any-return]
            state["mtime"] = mtime
        return state["data"]  # type: ignore[no-any-return]

    return read


class StudioServer:
    def __init__(self, studio: Studio, *, host: str = "127.0.0.1", port: int = 0, usage_file: Path | None = None,
                 secure_cookies: bool = False) -> None:
        self.studio = studio
        if port == 0:
            with socket.socket() as s:
                s.bind((host, 0))
                port = s.getsockname()[1]
        self.host, self.port = host, port
        public = studio.cfg.studio.public_url
        app = create_app(studio, usage=usage_reader(usage_file), public_origin=public,
                         secure_cookies=secure_cookies or bool(public and public.startswith("https://")))
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                                     access_log=False, lifespan="off"))
        self._thread: threading.Thread | None = None

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def start(self) -> "StudioServer":
        self._thread = threading.Thread(target=self._server.run, name="studio", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the studio did not start on {self.host}:{self.port}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def serve_forever(self) -> None:
        self._server.run()
