"""A fake core banking system on 127.0.0.1: it receives arrangement export records, honestly.

Honest like a real one: POST stores EVERY request it accepts (no deduplication, by Idempotency-Key
or anything else), so a record sent twice is booked twice, and `duplicates` counts it. It checks the
X-LoanComms-Signature (401 on a missing, stale or wrong one) with the same `verify` a Python
receiver would use. GET /<anything>/<export_id> answers 200 (with the first stored body) when the
record arrived, 404 when not: what `lookup_url` asks before a doubtful record is ever sent again.

Seeded faults, queued (`inject("lost", "502")`) or drawn at `rate` from `kinds` with `seed`:
  lost     stored, then the connection is reset: the answer is lost
  502      stored, then a proxy's 502 instead of the answer
  slow     stored, then the answer comes after `slow_seconds` (past the client's timeout)
  refuse   reset before the request is read: nothing stored
  429      Too Many Requests, nothing stored
  400      a permanent refusal (a record the core banking system rejects), nothing stored
  lookup_502  (GET only) a 502 instead of the lookup's answer

Use in-process: `core = FakeCore(secret="s").start()`, then `core.url`, `core.stats()`, `core.stop()`;
or as a process for the demo: `python -m loan_comms.arrangements.fake_core --port 8098 --secret s`.
Loopback only, by construction.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import struct
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from loan_comms.arrangements.export_http import SIGNATURE_HEADER, verify

FAULTS = ("lost", "502", "slow", "refuse", "429")


class CoreState:
    """What the fake received, and the faults still to inject."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.received: list[dict[str, Any]] = []     # every stored POST, in order
            self.requests = 0
            self.lookups = 0
            self.bad_signatures = 0
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
        with self.lock:
            if self.queue and (self.queue[0].startswith("lookup_") == (method == "GET")):
                fault: str | None = self.queue.popleft()
            elif method == "POST" and self.rate and self.rng.random() < self.rate:
                fault = self.rng.choice(self.kinds)
            else:
                fault = None
            if fault:
                self.faults_injected[fault] += 1
            return fault

    def store(self, export_id: str, body: bytes) -> None:
        with self.lock:
            self.received.append({"export_id": export_id, "body": body, "at": time.time()})

    def find(self, export_id: str) -> bytes | None:
        with self.lock:
            return next((r["body"] for r in self.received if r["export_id"] == export_id), None)

    def stats(self) -> dict[str, Any]:
        with self.lock:
            by_id = Counter(r["export_id"] for r in self.received)
            return {"received": len(self.received), "distinct": len(by_id),
                    "duplicates": sum(n - 1 for n in by_id.values()),
                    "duplicated_ids": sorted(k for k, n in by_id.items() if n > 1),
                    "requests": self.requests, "lookups": self.lookups, "bad_signatures": self.bad_signatures,
                    "faults_injected": dict(self.faults_injected), "faults_pending": len(self.queue)}


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:   # quiet: tests and the demo read stats()
        return

    def _answer(self, code: int, doc: Any) -> None:
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _reset(self) -> None:
        """Close with RST (SO_LINGER 0): the client sees its connection reset, no answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def do_POST(self) -> None:
        state = self.server.state
        with state.lock:
            state.requests += 1
        fault = state.next_fault("POST")
        if fault == "refuse":
            self._reset()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if fault == "400":
            self._answer(400, {"error": "loan not found"})
            return
        if fault == "429":
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not verify(state.secret, body, self.headers.get(SIGNATURE_HEADER)):
            with state.lock:
                state.bad_signatures += 1
            self._answer(401, {"error": "bad signature"})
            return
        export_id = self.headers.get("Idempotency-Key") or ""
        state.store(export_id, body)                   # stored: whatever happens to the answer now
        if fault == "lost":
            self._reset()
        elif fault == "502":
            self._answer(502, {"error": "bad gateway"})
        else:
            if fault == "slow":
                time.sleep(state.slow_seconds)
            try:
                self._answer(201, {"export_id": export_id, "status": "booked"})
            except OSError:                             # the client gave up waiting (slow)
                self.close_connection = True

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            state.lookups += 1
        if state.next_fault("GET") == "lookup_502":
            self._answer(502, {"error": "bad gateway"})
            return
        export_id = self.path.rstrip("/").rsplit("/", 1)[-1]
        body = state.find(export_id)
        if body is None:
            self._answer(404, {"error": "no such record"})
        else:
            self._answer(200, {"export_id": export_id, "record": json.loads(body)})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: CoreState

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection the fault closed on purpose (or a client that gave up) is not an error."""


class FakeCore:
    """The server; `start()` runs it on a background thread, `stop()` ends it."""

    def __init__(self, secret: str = "core-secret", port: int = 0) -> None:
        self.state = CoreState(secret)
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.state = self.state
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/arrangements"

    @property
    def lookup_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/arrangements/{{export_id}}"

    def start(self) -> "FakeCore":
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-core", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(10)

    def serve_forever(self) -> None:
        """Serve on this thread until interrupted (the demo's process)."""
        self._server.serve_forever()

    def inject(self, *faults: str, **spec: Any) -> None:
        self.state.configure(queue=list(faults), **spec)

    def stats(self) -> dict[str, Any]:
        return self.state.stats()

    def __enter__(self) -> "FakeCore":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8098)
    parser.add_argument("--secret", required=True, help="the signing secret (LOAN_COMMS_ARRANGEMENT_SECRET)")
    parser.add_argument("--rate", type=float, default=0.0, help="share of POSTs that meet a fault")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    core = FakeCore(args.secret, args.port)
    core.inject(rate=args.rate, seed=args.seed)
    print(f"fake core banking listening on {core.url} (lookup {core.lookup_url})", flush=True)
    try:
        core.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
