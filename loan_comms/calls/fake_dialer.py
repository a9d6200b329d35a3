"""A fake dialer on 127.0.0.1: it takes the day's calls, honestly, and lets tests break the wire.

Honest like a real one (a contact-centre dialer's REST API, like Twilio's or SendGrid's): POST stores
EVERY call it accepts, with no deduplication by ref or any header, so a call pushed twice is queued
twice and `duplicates` counts it. Its API:

  POST   /v1/calls                   a JSON list of calls (each with a `ref`) -> 201 {"calls": [{"id", "ref"}]}
  GET    /v1/calls?ref=A&ref=B       the calls it holds with those refs       -> 200 {"calls": [{"id", "ref",
  GET    /v1/calls?plan_date=D       ... or of that plan day                            "plan_date", "status"}]}
  DELETE /v1/calls/{id}              cancel: it will not dial it               -> 200 {"id", "status": "cancelled"}
                                     (again on a cancelled call: 200 unchanged; an unknown id: 404)

Every request needs `Authorization: Bearer <token>` (401 otherwise).

Seeded faults, queued per method (`inject("lost", "500")`; a fault named lookup_* waits for a GET,
delete_* for a DELETE, the others for a POST) or drawn at `rate` from `kinds` with `seed` (POSTs):
  lost        stored, then the connection is reset: the answer is lost
  500         stored, then a 500 instead of the answer (a server that failed after saving)
  slow        stored, then the answer comes after `slow_seconds` (past the client's timeout)
  refuse      reset before the request is read: nothing stored
  429         Too Many Requests with Retry-After: 0, nothing stored
  400         a permanent refusal, nothing stored
  lookup_502  a 502 instead of the list
  delete_lost cancelled, then the connection is reset
  delete_500  a 500, nothing cancelled

Use in-process: `dialer = FakeDialer(token="t").start()`, then `dialer.url`, `dialer.stats()`,
`dialer.stop()`; or as a process for a demo: `python -m loan_comms.calls.fake_dialer --port 8097 --token t`.
Loopback only, by construction.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import socket
import struct
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULTS = ("lost", "500", "slow", "refuse", "429")


class DialerState:
    """What the fake holds (every call, in order), and the faults still to inject."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.calls: list[dict[str, Any]] = []       # every stored call: id, ref, plan_date, status, call
            self.ids = itertools.count(1)
            self.posts = self.lookups = self.deletes = self.unauthorized = 0
            self.faults_injected: Counter[str] = Counter()
            self.queue: deque[str] = deque()
            self.rate = 0.0
            self.kinds: list[str] = list(FAULTS)
            self.rng = random.Random(7)
            self.slow_seconds = 1.0

    def configure(self, queue: list[str] | None = None, rate: float | None = None, kinds: list[str] | None = None,
                  seed: int | None = None, slow_seconds: float | None = None) -> None:
        with self.lock:
            self.queue.extend(queue or [])
            if rate is not None:
                self.rate = rate
            if kinds is not None:
                self.kinds = list(kinds)
            if seed is not None:
                self.rng = random.Random(seed)
            if slow_seconds is not None:
                self.slow_seconds = slow_seconds

    def next_fault(self, method: str) -> str | None:
        prefix = {"GET": "lookup_", "DELETE": "delete_"}.get(method)
        with self.lock:
            head = self.queue[0] if self.queue else None
            mine = head is not None and ((head.startswith(prefix)) if prefix
                                         else not head.startswith(("lookup_", "delete_")))
            if mine:
                fault: str | None = self.queue.popleft()
            elif method == "POST" and self.rate and self.rng.random() < self.rate:
                fault = self.rng.choice(self.kinds)
            else:
                fault = None
            if fault:
                self.faults_injected[fault] += 1
            return fault

    def store(self, calls: list[dict[str, Any]]) -> list[dict[str, str]]:
        with self.lock:
            out = []
            for c in calls:
                call_id, ref = f"dl-{next(self.ids)}", str(c.get("ref"))
                self.calls.append({"id": call_id, "ref": ref, "plan_date": c.get("plan_date"), "status": "queued",
                                   "call": c})
                out.append({"id": call_id, "ref": ref})
            return out

    def listing(self, refs: list[str], plan_date: str | None) -> list[dict[str, Any]]:
        with self.lock:
            return [{k: r[k] for k in ("id", "ref", "plan_date", "status")} for r in self.calls
                    if (not refs or r["ref"] in refs) and (plan_date is None or r["plan_date"] == plan_date)]

    def cancel(self, call_id: str) -> bool:
        with self.lock:
            for r in self.calls:
                if r["id"] == call_id:
                    r["status"] = "cancelled"
                    return True
            return False

    def live(self) -> list[dict[str, Any]]:
        """The calls it would dial (queued, not cancelled), with their payloads."""
        with self.lock:
            return [dict(r["call"], _id=r["id"]) for r in self.calls if r["status"] == "queued"]

    def stats(self) -> dict[str, Any]:
        with self.lock:
            by_ref = Counter(r["ref"] for r in self.calls)
            live = Counter(r["ref"] for r in self.calls if r["status"] == "queued")
            return {"received": len(self.calls), "distinct": len(by_ref),
                    "duplicates": sum(n - 1 for n in by_ref.values()),
                    "duplicated_refs": sorted(k for k, n in by_ref.items() if n > 1),
                    "live": sum(live.values()), "live_duplicates": sum(n - 1 for n in live.values()),
                    "cancelled": sorted(r["ref"] for r in self.calls if r["status"] == "cancelled"),
                    "posts": self.posts, "lookups": self.lookups, "deletes": self.deletes,
                    "unauthorized": self.unauthorized, "faults_injected": dict(self.faults_injected),
                    "faults_pending": len(self.queue)}


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:   # quiet: tests read stats()
        return

    def _answer(self, code: int, doc: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _reset(self) -> None:
        """Close with RST (SO_LINGER 0): the client sees its connection reset, no answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _authorized(self) -> bool:
        state = self.server.state
        if self.headers.get("Authorization") == f"Bearer {state.token}":
            return True
        with state.lock:
            state.unauthorized += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(401, {"error": "unauthorized"})
        return False

    def do_POST(self) -> None:
        state = self.server.state
        with state.lock:
            state.posts += 1
        fault = state.next_fault("POST")
        if fault == "refuse":
            self._reset()
            return
        if not self._authorized():
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if urlsplit(self.path).path.rstrip("/") != "/v1/calls":
            self._answer(404, {"error": "no such endpoint"})
            return
        if fault == "400":
            self._answer(400, {"error": "call rejected"})
            return
        if fault == "429":
            self._answer(429, {"error": "slow down"}, {"Retry-After": "0"})
            return
        try:
            calls = json.loads(body)
            assert isinstance(calls, list) and all(isinstance(c, dict) and c.get("ref") for c in calls)
        except (ValueError, AssertionError):
            self._answer(400, {"error": "a JSON list of calls, each with a ref"})
            return
        stored = state.store(calls)                    # stored: whatever happens to the answer now
        if fault == "lost":
            self._reset()
        elif fault == "500":
            self._answer(500, {"error": "internal error"})
        else:
            if fault == "slow":
                time.sleep(state.slow_seconds)
            try:
                self._answer(201, {"calls": stored})
            except OSError:                             # the client gave up waiting (slow)
                self.close_connection = True

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            state.lookups += 1
        if not self._authorized():
            return
        if state.next_fault("GET") == "lookup_502":
            self._answer(502, {"error": "bad gateway"})
            return
        url = urlsplit(self.path)
        if url.path.rstrip("/") != "/v1/calls":
            self._answer(404, {"error": "no such endpoint"})
            return
        q = parse_qs(url.query)
        refs = [r for v in q.get("ref", []) for r in v.split(",") if r]
        days = q.get("plan_date") or []
        self._answer(200, {"calls": state.listing(refs, days[0] if days else None)})

    def do_DELETE(self) -> None:
        state = self.server.state
        with state.lock:
            state.deletes += 1
        if not self._authorized():
            return
        fault = state.next_fault("DELETE")
        if fault == "delete_500":
            self._answer(500, {"error": "internal error"})
            return
        call_id = urlsplit(self.path).path.rstrip("/").rsplit("/", 1)[-1]
        if not state.cancel(call_id):
            self._answer(404, {"error": "no such call"})
        elif fault == "delete_lost":
            self._reset()
        else:
            self._answer(200, {"id": call_id, "status": "cancelled"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: DialerState

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection the fault closed on purpose (or a client that gave up) is not an error."""


class FakeDialer:
    """The server; `start()` runs it on a background thread, `stop()` ends it."""

    def __init__(self, token: str = "dialer-token", port: int = 0) -> None:
        self.state = DialerState(token)
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.state = self.state
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FakeDialer":
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-dialer", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(10)

    def serve_forever(self) -> None:
        """Serve on this thread until interrupted (a demo's process)."""
        self._server.serve_forever()

    def inject(self, *faults: str, **spec: Any) -> None:
        self.state.configure(queue=list(faults), **spec)

    def stats(self) -> dict[str, Any]:
        return self.state.stats()

    def live(self) -> list[dict[str, Any]]:
        return self.state.live()

    def __enter__(self) -> "FakeDialer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--token", required=True, help="the bearer token (LOAN_COMMS_DIALER_TOKEN)")
    parser.add_argument("--rate", type=float, default=0.0, help="share of POSTs that meet a fault")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    dialer = FakeDialer(args.token, args.port)
    dialer.inject(rate=args.rate, seed=args.seed)
    print(f"fake dialer listening on {dialer.url}/v1/calls", flush=True)
    try:
        dialer.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
