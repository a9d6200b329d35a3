"""An HTTP endpoint providers call (status callbacks, inbound SMS, e-mail events) -> inbox files.

DuckDB has one writer, so the receiver never opens the database: it appends what it is told to
JSON Lines files in the drop folders (`<inbox>/receipts/`, `<inbox>/replies/`,
`<inbox>/email_replies/`) and rotates them every `flush_seconds` (written as a hidden `.part`, then renamed, so the ingester only sees
complete files). The ingest flow then applies them with `ingest_receipts` / `ingest_replies` /
`ingest_email_replies`.

    POST /twilio/status     form: MessageSid, MessageStatus, ErrorCode...   -> receipts
    POST /twilio/inbound    form: From, Body, MessageSid...                 -> replies (answers empty TwiML)
    POST /sendgrid/events   JSON array of events                            -> receipts
    POST /sendgrid/inbound  Inbound Parse multipart/form-data (one e-mail)  -> email_replies

An Inbound Parse post is reduced at once to the record the ingest reads (email_replies.inbound_record:
the sender's address, subject, text or html, Message-ID, Date; attachments and raw headers are not
kept), each field decoded in the charset SendGrid names for it.

Twilio requests are checked against X-Twilio-Signature (HMAC-SHA1 with the auth token over the
public URL + sorted form fields) when an auth token is configured; SendGrid posts (events and Inbound Parse) must carry
`?token=<LOAN_COMMS_CALLBACK_TOKEN>` when that variable is set. Refused requests get 403.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's request signature: base64(HMAC-SHA1(token, url + key1 + value1 + key2 + ...))."""
    payload = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


class InboxWriter:
    """Appends records per kind and publishes a complete .jsonl file every `flush_seconds`."""

    def __init__(self, inbox: Path, flush_seconds: float = 10.0) -> None:
        self.inbox = Path(inbox)
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._buffers: dict[str, list[str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="inbox-writer", daemon=True)

    def start(self) -> "InboxWriter":
        self._thread.start()
        return self

    def add(self, kind: str, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False)
        with self._lock:
            self._buffers.setdefault(kind, []).append(line)

    def flush(self) -> list[Path]:
        """Write what is buffered as one complete file per kind; returns the files written."""
        with self._lock:
            buffers, self._buffers = self._buffers, {}
        out = []
        for kind, lines in buffers.items():
            if not lines:
                continue
            folder = self.inbox / kind
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}-callbacks.jsonl"
            part = folder / f".{name}.part"
            part.write_text("\n".join(lines) + "\n", encoding="utf-8")
            final = folder / name
            part.rename(final)
            out.append(final)
        return out

    def _loop(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            self.flush()

    def stop(self) -> None:
        self._stop.set()
        self.flush()


class CallbackServer:
    """The receiver; `start()` serves on a background thread, `stop()` flushes and closes."""

    def __init__(self, inbox: Path, *, host: str = "127.0.0.1", port: int = 0, public_url: str | None = None,
                 twilio_auth_token: str | None = None, callback_token: str | None = None,
                 flush_seconds: float = 10.0) -> None:
        self.writer = InboxWriter(inbox, flush_seconds)
        self.public_url = public_url.rstrip("/") if public_url else None
        self.twilio_auth_token = twilio_auth_token
        self.callback_token = callback_token
        self.counts: dict[str, int] = {"receipts": 0, "replies": 0, "email_replies": 0, "refused": 0}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt: str, *args: Any) -> None:  # request lines hold no PII, but stay quiet
                log.debug("callback %s", fmt % args)

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, ctype, payload = server.handle(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.port = self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "CallbackServer":
        self.writer.start()
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="callbacks", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.writer.stop()

    def handle(self, target: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        """Route one POST; returns (status, content type, body)."""
        parts = urlsplit(target)
        lower = {k.lower(): v for k, v in headers.items()}
        if parts.path in ("/twilio/status", "/twilio/inbound"):
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
            if self.twilio_auth_token:
                url = (self.public_url or f"http://{lower.get('host', '127.0.0.1')}") + target
                expected = twilio_signature(self.twilio_auth_token, url, form)
                if not hmac.compare_digest(expected, lower.get("x-twilio-signature", "")):
                    self.counts["refused"] += 1
                    return 403, "text/plain", b"bad signature"
            kind = "receipts" if parts.path == "/twilio/status" else "replies"
            self.writer.add(kind, form)
            self.counts[kind] += 1
            if kind == "replies":
                return 200, "text/xml", b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
            return 204, "text/plain", b""
        if parts.path in ("/sendgrid/events", "/sendgrid/inbound"):
            if self.callback_token:
                token = parse_qs(parts.query).get("token", [""])[0]
                if not hmac.compare_digest(token, self.callback_token):
                    self.counts["refused"] += 1
                    return 403, "text/plain", b"bad token"
            if parts.path == "/sendgrid/inbound":
                return self._inbound_email(lower.get("content-type", ""), body)
            try:
                events = json.loads(body)
            except ValueError:
                return 400, "text/plain", b"body is not JSON"
            for e in events if isinstance(events, list) else [events]:
                if isinstance(e, dict):
                    self.writer.add("receipts", e)
                    self.counts["receipts"] += 1
            return 200, "text/plain", b""
        return 404, "text/plain", b"not found"

    def _inbound_email(self, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        """One Inbound Parse post -> one email_replies record. A post that is not a form is a 400
        (SendGrid retries only 5xx, so a malformed post is not retried for three days)."""
        from loan_comms.inbound.email_replies import InboundParseError, inbound_record

        try:
            record = inbound_record(content_type, body, received_at=datetime.now(UTC))
        except InboundParseError as exc:
            return 400, "text/plain", str(exc).encode()
        self.writer.add("email_replies", record)
        self.counts["email_replies"] += 1
        return 200, "text/plain", b""


def serve(inbox: Path, port: int, public_url: str | None, twilio_auth_token: str | None,
          callback_token: str | None, flush_seconds: float = 10.0, host: str = "127.0.0.1") -> None:
    """Run the receiver until interrupted (the CLI's receive-callbacks). It listens on the loopback
    interface unless told otherwise (`host`, the CLI's --bind-all): providers reach it through a
    reverse proxy or tunnel, and an open port that accepts unsigned posts must be a choice."""
    srv = CallbackServer(inbox, host=host, port=port, public_url=public_url,
                         twilio_auth_token=twilio_auth_token, callback_token=callback_token,
                         flush_seconds=flush_seconds).start()
    print(f"receiving provider callbacks on {host}:{srv.port} -> {inbox}", flush=True)
    if not twilio_auth_token:
        print("warning: TWILIO_AUTH_TOKEN is not set, so Twilio callbacks are NOT signature-checked", flush=True)
    if not callback_token:
        print("warning: LOAN_COMMS_CALLBACK_TOKEN is not set, so SendGrid events and inbound e-mail are accepted from anyone", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
