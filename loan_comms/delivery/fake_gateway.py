"""A fake SMS/e-mail gateway on 127.0.0.1: Twilio and SendGrid wire shapes plus a JSON webhook.

Real HTTP over asyncio streams (keep-alive, Content-Length), so httpx talks to it exactly as it
would to a provider. Like Twilio/SendGrid idempotency, a message whose Idempotency-Key was already
accepted is not accepted again: the original response is replayed. Faults on demand:

  500, 503        error status, message not accepted
  429             Retry-After: <retry_after>, not accepted
  400             permanent rejection with a provider-shaped error body
  slow            accepted, but the response comes after `slow_seconds` (past the client timeout)
  reset           connection reset before anything is accepted
  lost            accepted, then the connection is reset: the response is lost
  lost_then_400   accepted, then the response is lost; a retry of that message gets 400 (a real
                  provider that does not deduplicate would send it twice or refuse the copy)

Use in-process (`FakeGateway().start()`, tests) or as a process
(`python -m loan_comms.delivery.fake_gateway --port 8099`, the kill test and the bench), controlled
over HTTP: POST /_faults {"queue": [...], "rate": 0.05, "kinds": [...], "delay": 0.01, ...},
GET /_stats, POST /_reset.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import socket
import struct
import threading
import time
import uuid
from collections import Counter, deque
from typing import Any
from urllib.parse import parse_qs, urlsplit

_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized",
            404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}

# What a route answers: status, extra headers, body (JSON-able or raw bytes), seconds to wait first.
_Response = tuple[int, dict[str, str], Any, float]


class _Abort(Exception):
    """Reset the connection (RST) instead of answering."""


class GatewayState:
    """What the gateway accepted, by idempotency key, and the faults still to inject."""

    def __init__(self, twilio_auth: tuple[str, str] | None = None, sendgrid_key: str | None = None) -> None:
        self.lock = threading.Lock()
        self.twilio_auth = twilio_auth
        self.sendgrid_key = sendgrid_key
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.accepted: dict[str, dict[str, Any]] = {}     # key -> message + our response
            self.accept_times: list[float] = []
            self.hits: Counter[str] = Counter()                     # requests per key (retries, re-runs)
            self.requests = 0
            self.dedupe_hits = 0
            self.faults_injected: Counter[str] = Counter()
            self.queue: deque[str] = deque()
            self.refuse_again: set[str] = set()                # keys answered 400 from now on
            self.rate = 0.0
            self.kinds: list[str] = ["500", "503", "429"]
            self.rng = random.Random(7)
            self.slow_seconds = 1.0
            self.retry_after = "1"
            self.delay = 0.0

    def configure(self, spec: dict[str, Any]) -> None:
        with self.lock:
            self.queue.extend(spec.get("queue", []))
            self.rate = float(spec.get("rate", self.rate))
            self.kinds = list(spec.get("kinds", self.kinds))
            if "seed" in spec:
                self.rng = random.Random(spec["seed"])
            self.slow_seconds = float(spec.get("slow_seconds", self.slow_seconds))
            self.retry_after = str(spec.get("retry_after", self.retry_after))
            self.delay = float(spec.get("delay", self.delay))

    def next_fault(self) -> str | None:
        with self.lock:
            if self.queue:
                f = self.queue.popleft()
            elif self.rate and self.rng.random() < self.rate:
                f = self.rng.choice(self.kinds)
            else:
                return None
            self.faults_injected[f] += 1
            return f

    def stats(self, full: bool = False) -> dict[str, Any]:
        with self.lock:
            out: dict[str, Any] = {
                "accepted": len(self.accepted), "requests": self.requests, "dedupe_hits": self.dedupe_hits,
                "faults_injected": dict(self.faults_injected), "faults_pending": len(self.queue),
            }
            if full:
                out["by_key"] = {k: v["id"] for k, v in self.accepted.items()}
                out["hits"] = dict(self.hits)
                out["accept_times"] = list(self.accept_times)
            return out


class FakeGateway:
    """The server; `start()` runs it on a background thread (tests), `serve_forever()` in a process."""

    def __init__(self, port: int = 0, twilio_auth: tuple[str, str] | None = None,
                 sendgrid_key: str | None = None) -> None:
        self.state = GatewayState(twilio_auth, sendgrid_key)
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- running ---------------------------------------------------------------------------
    async def _start_server(self) -> asyncio.base_events.Server:
        server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, backlog=1024)
        self._server = server
        self.port = server.sockets[0].getsockname()[1]
        return server

    def start(self) -> "FakeGateway":
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            server = self._loop.run_until_complete(self._start_server())
            ready.set()
            self._loop.run_forever()
            server.close()
            self._loop.run_until_complete(server.wait_closed())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="fake-gateway", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    async def serve_forever(self) -> None:
        server = await self._start_server()
        print(f"fake gateway listening on {self.url}", flush=True)
        async with server:
            await server.serve_forever()

    # -- conveniences for in-process tests ---------------------------------------------------
    def inject(self, *faults: str, **spec: Any) -> None:
        self.state.configure({"queue": list(faults), **spec})

    def stats(self, full: bool = True) -> dict[str, Any]:
        return self.state.stats(full)

    # -- HTTP ----------------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                try:
                    status, rheaders, payload, after = await self._route(method, target, headers, body)
                except _Abort:
                    _reset(writer)
                    return
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                head = f"HTTP/1.1 {status} {_REASONS.get(status, 'X')}\r\nContent-Length: {len(data)}\r\n"
                if data:
                    head += "Content-Type: application/json\r\n"
                head += "".join(f"{k}: {v}\r\n" for k, v in rheaders.items())
                if after:
                    await asyncio.sleep(after)
                writer.write(head.encode("latin-1") + b"\r\n" + data)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def _route(self, method: str, target: str, headers: dict[str, str],
                     body: bytes) -> _Response:
        path = urlsplit(target).path
        st = self.state
        if path == "/_stats":
            return 200, {}, st.stats(full="full" in target), 0
        if path == "/_faults" and method == "POST":
            st.configure(json.loads(body or b"{}"))
            return 200, {}, {"ok": True}, 0
        if path == "/_reset" and method == "POST":
            st.reset()
            return 200, {}, {"ok": True}, 0
        if method != "POST":
            return 404, {}, {"message": "not found"}, 0
        with st.lock:
            st.requests += 1
        if st.delay:
            await asyncio.sleep(st.delay)
        if path.endswith("/Messages.json") and path.startswith("/2010-04-01/Accounts/"):
            return self._twilio(path, headers, body)
        if path == "/v3/mail/send":
            return self._sendgrid(headers, body)
        return self._webhook(headers, body)

    # Each shape: check auth, then faults, then dedupe, then validate and accept.
    def _fault_response(self, fault: str | None, shape: str) -> _Response | None:
        if fault in ("500", "503"):
            return int(fault), {}, {"message": f"injected {fault}", "status": int(fault)}, 0
        if fault == "429":
            return 429, {"Retry-After": self.state.retry_after}, {"message": "Too Many Requests", "code": 20429}, 0
        if fault == "reset":
            raise _Abort()
        if fault == "400":
            return 400, {}, _error_body(shape, "injected permanent rejection"), 0
        return None

    def _accept(self, key: str, shape: str, to: str, mid: str, response: _Response) -> _Response:
        with self.state.lock:
            self.state.accepted[key] = {"id": mid, "shape": shape, "to": to, "response": response}
            self.state.accept_times.append(time.time())
        return response

    def _dedupe(self, key: str | None) -> _Response | None:
        if key is None:
            return None
        with self.state.lock:
            self.state.hits[key] += 1
            if key in self.state.refuse_again:
                return 400, {}, _error_body("twilio", "injected rejection of a retried message"), 0
            prior = self.state.accepted.get(key)
            if prior is not None:
                self.state.dedupe_hits += 1
                response: _Response = prior["response"]
                return response
        return None

    def _finish(self, fault: str | None, response: _Response, key: str | None = None) -> _Response:
        if fault == "lost_then_400" and key:
            with self.state.lock:
                self.state.refuse_again.add(key)
        if fault in ("lost", "lost_then_400"):
            raise _Abort()
        if fault == "slow":
            return (*response[:3], self.state.slow_seconds)
        return response

    def _twilio(self, path: str, headers: dict[str, str], body: bytes) -> _Response:
        if self.state.twilio_auth:
            sid = path.split("/")[3]
            expected = "Basic " + base64.b64encode(":".join(self.state.twilio_auth).encode()).decode()
            if headers.get("authorization") != expected or sid != self.state.twilio_auth[0]:
                return 401, {}, {"code": 20003, "message": "Authenticate", "status": 401}, 0
        fault = self.state.next_fault()
        early = self._fault_response(fault, "twilio")
        if early:
            return early
        key = headers.get("i-twilio-idempotency-token") or headers.get("idempotency-key")
        prior = self._dedupe(key)
        if prior is not None:
            return self._finish(fault, prior)
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        to = form.get("To", "")
        if not (to.startswith("+") and to[1:].isdigit() and 8 <= len(to) <= 16):
            return 400, {}, _error_body("twilio", f"The 'To' number {to} is not a valid phone number."), 0
        if not (form.get("From") or form.get("MessagingServiceSid")) or not form.get("Body"):
            return 400, {}, _error_body("twilio", "A 'From' phone number and a 'Body' are required."), 0
        mid = "SM" + uuid.uuid4().hex
        resp: _Response = (201, {}, {"sid": mid, "status": "queued", "to": to, "body": form["Body"]}, 0)
        return self._finish(fault, self._accept(key or mid, "twilio", to, mid, resp), key)

    def _sendgrid(self, headers: dict[str, str], body: bytes) -> _Response:
        if self.state.sendgrid_key and headers.get("authorization") != f"Bearer {self.state.sendgrid_key}":
            return 401, {}, {"errors": [{"message": "The provided authorization grant is invalid, expired, or revoked"}]}, 0
        fault = self.state.next_fault()
        early = self._fault_response(fault, "sendgrid")
        if early:
            return early
        key = headers.get("idempotency-key")
        prior = self._dedupe(key)
        if prior is not None:
            return self._finish(fault, prior)
        try:
            doc = json.loads(body)
            to = doc["personalizations"][0]["to"][0]["email"]
            doc["from"]["email"], doc["content"][0]["value"]
        except (ValueError, KeyError, IndexError, TypeError):
            return 400, {}, _error_body("sendgrid", "Bad Request: malformed mail/send body"), 0
        if "@" not in to:
            return 400, {}, _error_body("sendgrid", "Does not contain a valid address."), 0
        mid = uuid.uuid4().hex[:22]
        resp: _Response = (202, {"X-Message-Id": mid}, b"", 0)
        return self._finish(fault, self._accept(key or mid, "sendgrid", to, mid, resp), key)

    def _webhook(self, headers: dict[str, str], body: bytes) -> _Response:
        fault = self.state.next_fault()
        early = self._fault_response(fault, "webhook")
        if early:
            return early
        try:
            doc = json.loads(body)
        except ValueError:
            return 400, {}, {"error": "body is not JSON"}, 0
        if isinstance(doc, dict) and "messages" in doc:
            results = []
            for m in doc["messages"]:
                key = m.get("idempotency_key")
                prior = self._dedupe(key)
                if prior is not None:
                    results.append(prior[2])
                elif not m.get("to"):
                    results.append({"idempotency_key": key, "status": "rejected", "error": "missing 'to'"})
                else:
                    mid = "WH" + uuid.uuid4().hex[:20]
                    r = {"idempotency_key": key, "id": mid, "status": "accepted"}
                    self._accept(key or mid, "webhook", m["to"], mid, (200, {}, r, 0))
                    results.append(r)
            return self._finish(fault, (200, {}, {"results": results}, 0))
        key = headers.get("idempotency-key") or doc.get("idempotency_key")
        prior = self._dedupe(key)
        if prior is not None:
            return self._finish(fault, prior)
        if not doc.get("to"):
            return 400, {}, {"error": "missing 'to'"}, 0
        mid = "WH" + uuid.uuid4().hex[:20]
        resp: _Response = (200, {}, {"id": mid, "status": "accepted"}, 0)
        return self._finish(fault, self._accept(key or mid, "webhook", doc["to"], mid, resp), key)


def _error_body(shape: str, message: str) -> dict[str, Any]:
    if shape == "twilio":
        return {"code": 21211, "message": message, "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}
    if shape == "sendgrid":
        return {"errors": [{"message": message, "field": "personalizations.0.to.0.email", "help": None}]}
    return {"error": message}


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0): the client sees a connection reset, not a clean close."""
    sock = writer.get_extra_info("socket")
    try:
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    writer.transport.abort()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=8099)
    p.add_argument("--twilio-sid")
    p.add_argument("--twilio-token")
    p.add_argument("--sendgrid-key")
    a = p.parse_args(argv)
    auth = (a.twilio_sid, a.twilio_token) if a.twilio_sid and a.twilio_token else None
    asyncio.run(FakeGateway(a.port, auth, a.sendgrid_key).serve_forever())


if __name__ == "__main__":
    main()
