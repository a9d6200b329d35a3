"""A fake SMS/e-mail gateway on 127.0.0.1: Twilio and SendGrid wire shapes plus a JSON webhook.

Real HTTP over asyncio streams (keep-alive, Content-Length), so httpx talks to it exactly as it
would to a provider. Honest like the real ones: Twilio's Messages API and SendGrid's mail/send do
NOT deduplicate (by any header), so every accepted request is one more message; the gateway counts
the messages each contact got (`by_attempt`: the attempt id from the StatusCallback URL or
custom_args, else recipient and body) and `duplicates`. Only the JSON webhook (our in-house
gateway contract) deduplicates by idempotency_key.

What a real provider also offers, for reconciliation and receipts:
  GET /2010-04-01/Accounts/{sid}/Messages.json   Twilio's Message list (To, From, DateSent filters,
                                                  PageSize, Page; newest first, next_page_uri)
  GET /2010-04-01/Accounts/{sid}/Messages/{sid}.json
  status callbacks    Twilio posts sent, then delivered, to each message's StatusCallback (signed
                      with X-Twilio-Signature when the auth token is known)
  event webhook       SendGrid posts processed, then delivered, events (with custom_args) in
                      batches to `events_url`, signed (ECDSA P-256) when given a private key

Faults on demand:
  500, 503        error status, message not accepted
  429             Retry-After: <retry_after>, not accepted
  400             permanent rejection with a provider-shaped error body
  reset           connection reset before anything is accepted
  slow            accepted, but the response comes after `slow_seconds` (past the client timeout)
  lost            accepted, then the connection is reset: the response is lost
  accepted_502    accepted, then a proxy's 502 instead of the provider's answer

Use in-process (`FakeGateway().start()`, tests) or as a process
(`python -m loan_comms.delivery.fake_gateway --port 8099`, the kill test and the bench), controlled
over HTTP: POST /_faults {"queue": [...], "rate": 0.05, "kinds": [...], "delay": 0.01,
"events_url": ..., ...}, GET /_stats (?full), POST /_reset.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import email.utils
import hashlib
import json
import random
import socket
import struct
import threading
import time
import uuid
from collections import Counter, deque
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized",
            404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable"}

# What a route answers: status, extra headers, body (JSON-able or raw bytes), seconds to wait first.
_Response = tuple[int, dict[str, str], Any, float]


class _Abort(Exception):
    """Reset the connection (RST) instead of answering."""


class GatewayState:
    """Every message the gateway accepted, the faults still to inject, the callbacks to post."""

    def __init__(self, twilio_auth: tuple[str, str] | None = None, sendgrid_key: str | None = None,
                 events_url: str | None = None, events_private_key: Any = None) -> None:
        self.lock = threading.Lock()
        self.twilio_auth = twilio_auth
        self.sendgrid_key = sendgrid_key
        self.events_url = events_url
        self.events_private_key = events_private_key   # cryptography EC private key: signs SendGrid events
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.messages: list[dict[str, Any]] = []          # accepted, in order (Twilio, SendGrid, webhook)
            self.by_sid: dict[str, dict[str, Any]] = {}
            self.webhook_keys: dict[str, _Response] = {}      # the JSON webhook's dedup (our own contract)
            self.requests = 0
            self.lookups = 0                                  # GET requests (reconciliation)
            self.dedupe_hits = 0
            self.faults_injected: Counter[str] = Counter()
            self.queue: deque[str] = deque()
            self.rate = 0.0
            self.kinds: list[str] = ["500", "503", "429"]
            self.rng = random.Random(7)
            self.slow_seconds = 1.0
            self.retry_after = "1"
            self.delay = 0.0
            self.deliver_after = 0.05                         # seconds from accepted to delivered
            self.callbacks_posted = 0
            self.callbacks_failed = 0

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
            self.deliver_after = float(spec.get("deliver_after", self.deliver_after))
            if "events_url" in spec:
                self.events_url = spec["events_url"] or None

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

    def add(self, message: dict[str, Any]) -> None:
        with self.lock:
            message.setdefault("created", time.time())
            self.messages.append(message)
            self.by_sid[message["id"]] = message

    def stats(self, full: bool = False) -> dict[str, Any]:
        with self.lock:
            by_attempt: dict[str, list[str]] = {}
            for m in self.messages:
                by_attempt.setdefault(m["attempt"], []).append(m["id"])
            out: dict[str, Any] = {
                "accepted": len(self.messages), "requests": self.requests, "lookups": self.lookups,
                "duplicates": sum(len(v) - 1 for v in by_attempt.values()),
                "dedupe_hits": self.dedupe_hits, "faults_injected": dict(self.faults_injected),
                "faults_pending": len(self.queue), "callbacks_posted": self.callbacks_posted,
                "callbacks_failed": self.callbacks_failed,
            }
            if full:
                out["by_attempt"] = by_attempt
                out["accept_times"] = [m["created"] for m in self.messages]
            return out


class FakeGateway:
    """The server; `start()` runs it on a background thread (tests), `serve_forever()` in a process."""

    def __init__(self, port: int = 0, twilio_auth: tuple[str, str] | None = None,
                 sendgrid_key: str | None = None, events_url: str | None = None,
                 events_private_key: Any = None) -> None:
        self.state = GatewayState(twilio_auth, sendgrid_key, events_url, events_private_key)
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- running ---------------------------------------------------------------------------
    async def _start_server(self) -> asyncio.base_events.Server:
        self._loop = asyncio.get_running_loop()
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
        parts = urlsplit(target)
        path = parts.path
        st = self.state
        if path == "/_stats":
            return 200, {}, st.stats(full="full" in target), 0
        if path == "/_faults" and method == "POST":
            st.configure(json.loads(body or b"{}"))
            return 200, {}, {"ok": True}, 0
        if path == "/_reset" and method == "POST":
            st.reset()
            return 200, {}, {"ok": True}, 0
        if method == "GET" and path.startswith("/2010-04-01/Accounts/"):
            with st.lock:
                st.lookups += 1
            return self._twilio_read(path, parse_qs(parts.query), headers)
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

    # Each shape: check auth, then faults, then validate and accept (every accepted request is a message).
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

    def _finish(self, fault: str | None, response: _Response) -> _Response:
        """The answer to an accepted request, or what a fault makes of it (the message stays accepted)."""
        if fault == "lost":
            raise _Abort()
        if fault == "accepted_502":
            return 502, {}, b"<html><body>502 Bad Gateway</body></html>", 0
        if fault == "slow":
            return (*response[:3], self.state.slow_seconds)
        return response

    def _twilio_authorized(self, path: str, headers: dict[str, str]) -> bool:
        if not self.state.twilio_auth:
            return True
        sid = path.split("/")[3]
        expected = "Basic " + base64.b64encode(":".join(self.state.twilio_auth).encode()).decode()
        return headers.get("authorization") == expected and sid == self.state.twilio_auth[0]

    def _twilio(self, path: str, headers: dict[str, str], body: bytes) -> _Response:
        if not self._twilio_authorized(path, headers):
            return 401, {}, {"code": 20003, "message": "Authenticate", "status": 401}, 0
        fault = self.state.next_fault()
        early = self._fault_response(fault, "twilio")
        if early:
            return early
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        to = form.get("To", "")
        if not (to.startswith("+") and to[1:].isdigit() and 8 <= len(to) <= 16):
            return 400, {}, _error_body("twilio", f"The 'To' number {to} is not a valid phone number."), 0
        if not (form.get("From") or form.get("MessagingServiceSid")) or not form.get("Body"):
            return 400, {}, _error_body("twilio", "A 'From' phone number and a 'Body' are required."), 0
        callback = form.get("StatusCallback") or None
        attempt = (parse_qs(urlsplit(callback).query).get("attempt_id", [None])[0] if callback else None)
        m = {"id": "SM" + uuid.uuid4().hex, "shape": "twilio", "to": to, "from": form.get("From"),
             "service": form.get("MessagingServiceSid"), "body": form["Body"], "status": "queued",
             "attempt": attempt or _content_key(to, form["Body"]), "callback": callback,
             "account": path.split("/")[3]}
        self.state.add(m)
        self._schedule(m)
        return self._finish(fault, (201, {}, self._twilio_resource(m), 0))

    def _twilio_resource(self, m: dict[str, Any]) -> dict[str, Any]:
        """A Message resource as Twilio renders it (RFC 2822 dates, newest fields)."""
        created = email.utils.formatdate(m["created"], usegmt=False).replace("-0000", "+0000")
        sent = created if m["status"] not in ("queued", "accepted") else None
        return {"sid": m["id"], "account_sid": m["account"], "to": m["to"], "from": m["from"],
                "messaging_service_sid": m["service"], "body": m["body"], "status": m["status"],
                "direction": "outbound-api", "date_created": created, "date_updated": created,
                "date_sent": sent, "error_code": None, "error_message": None, "num_segments": "1",
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{m['account']}/Messages/{m['id']}.json"}

    def _twilio_read(self, path: str, query: dict[str, list[str]], headers: dict[str, str]) -> _Response:
        """GET one Message, or the Message list filtered like Twilio's (To, From, DateSent<, >)."""
        if not self._twilio_authorized(path, headers):
            return 401, {}, {"code": 20003, "message": "Authenticate", "status": 401}, 0
        segs = path.split("/")
        if len(segs) == 6 and segs[4] == "Messages" and segs[5].endswith(".json") and segs[5] != "Messages.json":
            m = self.state.by_sid.get(segs[5][:-5])
            if m is None or m["shape"] != "twilio":
                return 404, {}, {"code": 20404, "message": "The requested resource was not found", "status": 404}, 0
            return 200, {}, self._twilio_resource(m), 0
        if not path.endswith("/Messages.json"):
            return 404, {}, {"code": 20404, "message": "not found", "status": 404}, 0
        q = {k: v[0] for k, v in query.items()}
        with self.state.lock:
            msgs = [m for m in self.state.messages if m["shape"] == "twilio"]
        if "To" in q:
            msgs = [m for m in msgs if m["to"] == q["To"]]
        if "From" in q:
            msgs = [m for m in msgs if m["from"] == q["From"]]
        for key in ("DateSent>", "DateSent<", "DateSent"):   # a queued message has no date_sent yet
            if key in q:
                msgs = [m for m in msgs if m["status"] not in ("queued", "accepted")
                        and _date_matches(key, datetime.fromtimestamp(m["created"], UTC), _iso(q[key]))]
        msgs.sort(key=lambda m: m["created"], reverse=True)
        size = max(1, min(1000, int(q.get("PageSize", "50"))))
        page = int(q.get("Page", "0"))
        chunk = msgs[page * size:(page + 1) * size]
        base = path + "?" + urlencode({k: v for k, v in q.items() if k not in ("Page", "PageToken")})
        more = (page + 1) * size < len(msgs)
        return 200, {}, {"messages": [self._twilio_resource(m) for m in chunk], "page": page, "page_size": size,
                         "first_page_uri": base + "&Page=0", "uri": base + f"&Page={page}",
                         "next_page_uri": base + f"&Page={page + 1}&PageToken=PA{page + 1}" if more else None,
                         "previous_page_uri": base + f"&Page={page - 1}" if page else None, "start": page * size,
                         "end": page * size + len(chunk) - 1}, 0

    def _sendgrid(self, headers: dict[str, str], body: bytes) -> _Response:
        if self.state.sendgrid_key and headers.get("authorization") != f"Bearer {self.state.sendgrid_key}":
            return 401, {}, {"errors": [{"message": "The provided authorization grant is invalid, expired, or revoked"}]}, 0
        fault = self.state.next_fault()
        early = self._fault_response(fault, "sendgrid")
        if early:
            return early
        try:
            doc = json.loads(body)
            to = doc["personalizations"][0]["to"][0]["email"]
            doc["from"]["email"], doc["content"][0]["value"]
        except (ValueError, KeyError, IndexError, TypeError):
            return 400, {}, _error_body("sendgrid", "Bad Request: malformed mail/send body"), 0
        if "@" not in to:
            return 400, {}, _error_body("sendgrid", "Does not contain a valid address."), 0
        args = doc.get("custom_args") or {}
        m = {"id": uuid.uuid4().hex[:22], "shape": "sendgrid", "to": to, "body": doc["content"][0]["value"],
             "status": "processed", "attempt": args.get("attempt_id") or _content_key(to, doc["content"][0]["value"]),
             "custom_args": args, "categories": doc.get("category") or doc.get("categories"), "asm": doc.get("asm")}
        self.state.add(m)
        self._schedule(m)
        return self._finish(fault, (202, {"X-Message-Id": m["id"]}, b"", 0))

    def _webhook(self, headers: dict[str, str], body: bytes) -> _Response:
        """The in-house JSON webhook contract: deduplicated by idempotency_key (ours to define)."""
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
            for msg in doc["messages"]:
                key = msg.get("idempotency_key")
                prior = self._webhook_prior(key)
                if prior is not None:
                    results.append(prior[2])
                elif not msg.get("to"):
                    results.append({"idempotency_key": key, "status": "rejected", "error": "missing 'to'"})
                else:
                    r = self._webhook_accept(key, msg["to"], msg.get("text") or "", batch=True)
                    results.append(r[2])
            return self._finish(fault, (200, {}, {"results": results}, 0))
        key = headers.get("idempotency-key") or doc.get("idempotency_key")
        prior = self._webhook_prior(key)
        if prior is not None:
            return self._finish(fault, prior)
        if not doc.get("to"):
            return 400, {}, {"error": "missing 'to'"}, 0
        return self._finish(fault, self._webhook_accept(key, doc["to"], doc.get("text") or ""))

    def _webhook_prior(self, key: str | None) -> _Response | None:
        if key is None:
            return None
        with self.state.lock:
            prior = self.state.webhook_keys.get(key)
            if prior is not None:
                self.state.dedupe_hits += 1
            return prior

    def _webhook_accept(self, key: str | None, to: str, text: str, batch: bool = False) -> _Response:
        mid = "WH" + uuid.uuid4().hex[:20]
        body = {"idempotency_key": key, "id": mid, "status": "accepted"} if batch else {"id": mid, "status": "accepted"}
        resp: _Response = (200, {}, body, 0)
        self.state.add({"id": mid, "shape": "webhook", "to": to, "body": text, "status": "accepted",
                        "attempt": key or _content_key(to, text)})
        if key:
            with self.state.lock:
                self.state.webhook_keys[key] = resp
        return resp

    # -- callbacks: what the provider tells us later ----------------------------------------------
    def _schedule(self, m: dict[str, Any]) -> None:
        """Move the message on (sent, delivered) and post its callbacks, off the request path."""
        if self._loop is None:
            return
        self._loop.call_later(self.state.deliver_after, lambda: asyncio.ensure_future(self._progress(m)))

    async def _progress(self, m: dict[str, Any]) -> None:
        if m["shape"] == "twilio":
            for status in ("sent", "delivered"):
                m["status"] = status
                if m.get("callback"):
                    await self._post_twilio(m, status)
        elif m["shape"] == "sendgrid":
            if self.state.events_url:
                now = int(time.time())
                base = {"email": m["to"], "timestamp": now, "sg_message_id": m["id"] + ".filterdrecv-1-0",
                        "smtp-id": f"<{m['id']}@fake.sendgrid>", **(m.get("custom_args") or {})}
                events = [{**base, "event": "processed", "sg_event_id": uuid.uuid4().hex},
                          {**base, "event": "delivered", "sg_event_id": uuid.uuid4().hex, "response": "250 OK"}]
                await self._post(self.state.events_url, json.dumps(events).encode(), "application/json",
                                 self._sendgrid_signature)
            m["status"] = "delivered"

    async def _post_twilio(self, m: dict[str, Any], status: str) -> None:
        form = {"MessageSid": m["id"], "SmsSid": m["id"], "MessageStatus": status, "SmsStatus": status,
                "AccountSid": m["account"], "To": m["to"], "ApiVersion": "2010-04-01"}
        if m["from"]:
            form["From"] = m["from"]
        if m["service"]:
            form["MessagingServiceSid"] = m["service"]
        url = m["callback"]

        def sign(_body: bytes) -> dict[str, str]:
            # The receiver's own signer (held equal to the official library's by its tests).
            from loan_comms.inbound.signatures import TWILIO_SIGNATURE_HEADER, twilio_signature

            if not self.state.twilio_auth:
                return {}
            return {TWILIO_SIGNATURE_HEADER: twilio_signature(self.state.twilio_auth[1], url, form)}

        await self._post(url, urlencode(form).encode(), "application/x-www-form-urlencoded", sign)

    def _sendgrid_signature(self, body: bytes) -> dict[str, str]:
        key = self.state.events_private_key
        if key is None:
            return {}
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        ts = str(int(time.time()))
        sig = key.sign(ts.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {"X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(sig).decode(),
                "X-Twilio-Email-Event-Webhook-Timestamp": ts}

    async def _post(self, url: str, body: bytes, ctype: str, sign: Any) -> None:
        """POST a callback with plain asyncio streams (http only: callbacks go to 127.0.0.1)."""
        parts = urlsplit(url)
        try:
            reader, writer = await asyncio.open_connection(parts.hostname or "127.0.0.1", parts.port or 80)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            head = (f"POST {target or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: {ctype}\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\nUser-Agent: FakeGateway\r\n"
                    + "".join(f"{k}: {v}\r\n" for k, v in sign(body).items()) + "\r\n")
            writer.write(head.encode("latin-1") + body)
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), 10)
            writer.close()
            ok = status_line.split(b" ")[1:2] and status_line.split(b" ")[1].startswith(b"2")
        except (OSError, asyncio.TimeoutError, IndexError):
            ok = False
        with self.state.lock:
            if ok:
                self.state.callbacks_posted += 1
            else:
                self.state.callbacks_failed += 1


def _content_key(to: str, body: str) -> str:
    """What identifies a contact when the request carries no attempt id: recipient and wording."""
    return "content:" + hashlib.sha256(f"{to}\x00{body}".encode()).hexdigest()[:16]


def _date_matches(key: str, sent: datetime, bound: datetime) -> bool:
    if key == "DateSent>":
        return sent >= bound
    if key == "DateSent<":
        return sent <= bound
    return sent.date() == bound.date()


def _iso(value: str) -> datetime:
    try:
        d = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        d = datetime.fromisoformat(value[:10])
    return d if d.tzinfo else d.replace(tzinfo=UTC)


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
    p.add_argument("--events-url", help="Where SendGrid events are posted (the callback receiver's /sendgrid/events).")
    a = p.parse_args(argv)
    auth = (a.twilio_sid, a.twilio_token) if a.twilio_sid and a.twilio_token else None
    asyncio.run(FakeGateway(a.port, auth, a.sendgrid_key, a.events_url).serve_forever())


if __name__ == "__main__":
    main()
