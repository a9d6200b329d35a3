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

Authenticity (signatures.py, callback_auth.py): Twilio callbacks must carry X-Twilio-Signature as
Twilio computes it over the public URL it called (`public_url` + path and query; without one, the
Host header and X-Forwarded-Proto) and the form; SendGrid event posts must carry the signed Event
Webhook headers (ECDSA P-256, timestamp no more than `tolerance_seconds` off) once a verification
key is configured; the SendGrid URLs (events and Inbound Parse, which SendGrid does not sign) must
carry `?token=<LOAN_COMMS_CALLBACK_TOKEN>` when that is set. Each check is on when its secret is
configured. A refused request gets 403 (500 when Twilio signed with a SharedKey we were not given,
so that Twilio's retries outlast the fix), is counted in `counts["refused"]` and logged with its
path and reason only, and writes nothing.

The StatusCallback dispatch sets carries `?attempt_id=<id>`; that parameter, signed with the rest
of the URL, is copied into the receipt record (field `attempt_id`) so ingestion can match a receipt
to a contact whose send had no provider id.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from loan_comms.inbound.callback_auth import CallbackAuth
from loan_comms.inbound.signatures import (SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER,
                                           TWILIO_SETTINGS_HEADER, TWILIO_SIGNATURE_HEADER, request_url,
                                           sendgrid_refusal, signature_algorithm, twilio_request_valid,
                                           twilio_signature)

log = logging.getLogger(__name__)

__all__ = ["CallbackServer", "InboxWriter", "serve", "twilio_signature"]
_FORM = "application/x-www-form-urlencoded"


class InboxWriter:
    """Appends records per kind and publishes a complete .jsonl file every `flush_seconds`."""

    def __init__(self, inbox: Path, flush_seconds: float = 10.0, *, tag: str = "callbacks") -> None:
        self.inbox = Path(inbox)
        self.flush_seconds = flush_seconds
        self.tag = tag          # the files' name ends with it: who wrote them (the survey page: survey-page)
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
            name = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}-{self.tag}.jsonl"
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
    """The receiver; `start()` serves on a background thread, `stop()` flushes and closes.

    `auth` holds the checks (callback_auth.resolve_callback_auth builds it from the environment and
    config); `twilio_auth_token` / `callback_token` are shortcuts that set those two fields. `clock`
    (Unix seconds) judges SendGrid timestamps; tests move it."""

    def __init__(self, inbox: Path, *, host: str = "127.0.0.1", port: int = 0, public_url: str | None = None,
                 auth: CallbackAuth | None = None, twilio_auth_token: str | None = None,
                 callback_token: str | None = None, flush_seconds: float = 10.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.writer = InboxWriter(inbox, flush_seconds)
        self.public_url = public_url.rstrip("/") if public_url else None
        auth = auth or CallbackAuth()
        if twilio_auth_token:
            auth = replace(auth, twilio_auth_token=twilio_auth_token)
        if callback_token:
            auth = replace(auth, callback_token=callback_token)
        self.auth = auth
        self.clock = clock
        self.counts: dict[str, int] = {"receipts": 0, "replies": 0, "email_replies": 0, "refused": 0}
        self._counts_lock = threading.Lock()
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

    def _count(self, kind: str) -> None:
        with self._counts_lock:
            self.counts[kind] += 1

    def _refuse(self, path: str, reason: str, status: int = 403) -> tuple[int, str, bytes]:
        """Count and log a refusal: the path and reason only (no query: it may hold the token)."""
        self._count("refused")
        log.warning("callback refused: %s %s", path, reason)
        return status, "text/plain", reason.encode()

    def handle(self, target: str, headers: dict[str, str], body: bytes) -> tuple[int, str, bytes]:
        """Route one POST; returns (status, content type, body)."""
        parts = urlsplit(target)
        lower = {k.lower(): v for k, v in headers.items()}
        if parts.path in ("/twilio/status", "/twilio/inbound"):
            return self._twilio(target, parts.path, parts.query, lower, body)
        if parts.path in ("/sendgrid/events", "/sendgrid/inbound"):
            if parts.path == "/sendgrid/events" and self.auth.sendgrid_public_key is not None:
                reason = sendgrid_refusal(self.auth.sendgrid_public_key, body,
                                          lower.get(SENDGRID_SIGNATURE_HEADER.lower()),
                                          lower.get(SENDGRID_TIMESTAMP_HEADER.lower()),
                                          now=self.clock(), tolerance_seconds=self.auth.tolerance_seconds)
                if reason:
                    return self._refuse(parts.path, reason)
            if self.auth.callback_token:
                token = parse_qs(parts.query).get("token", [""])[0]
                if not hmac.compare_digest(token.encode(), self.auth.callback_token.encode()):
                    return self._refuse(parts.path, "bad token")
            if parts.path == "/sendgrid/inbound":
                return self._inbound_email(lower.get("content-type", ""), body)
            try:
                events = json.loads(body)
            except ValueError:
                return 400, "text/plain", b"body is not JSON"
            for e in events if isinstance(events, list) else [events]:
                if isinstance(e, dict):
                    self.writer.add("receipts", e)
                    self._count("receipts")
            return 200, "text/plain", b""
        return 404, "text/plain", b"not found"

    def _twilio(self, target: str, path: str, query: str, headers: dict[str, str],
                body: bytes) -> tuple[int, str, bytes]:
        """A Twilio callback: checked (when on), then one record. A form post is the usual; a JSON
        body (signed with bodySHA256) is read as one JSON object."""
        text = body.decode("utf-8", "replace")
        is_form = headers.get("content-type", _FORM).split(";")[0].strip().lower() in (_FORM, "")
        form = parse_qs(text, keep_blank_values=True) if is_form else {}
        if self.auth.twilio_on:
            refusal = self._twilio_refusal(target, headers, form if is_form else text)
            if refusal:
                return self._refuse(path, *refusal)
        record: dict[str, Any]
        if is_form:
            record = {k: v[0] for k, v in form.items()}
        else:
            try:
                loaded = json.loads(text)
            except ValueError:
                return 400, "text/plain", b"body is neither a form nor JSON"
            if not isinstance(loaded, dict):
                return 400, "text/plain", b"body is not a JSON object"
            record = loaded
        kind = "receipts" if path == "/twilio/status" else "replies"
        if kind == "receipts":
            attempt = parse_qs(query).get("attempt_id")
            if attempt and attempt[0]:
                record["attempt_id"] = attempt[0]
        self.writer.add(kind, record)
        self._count(kind)
        if kind == "replies":
            return 200, "text/xml", b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
        return 204, "text/plain", b""

    def _twilio_refusal(self, target: str, headers: dict[str, str],
                        params: dict[str, list[str]] | str) -> tuple[str, int] | None:
        """(reason, status) when the signature is not Twilio's, else None. A request a Webhook
        Setting signed (settings header) is checked with the SharedKey secret and its algorithm;
        any other with the auth token and HMAC-SHA1."""
        settings = headers.get(TWILIO_SETTINGS_HEADER.lower())
        if settings:
            secret, algorithm = self.auth.twilio_shared_key, signature_algorithm(settings)
            if not secret:   # as Twilio's own middleware: our configuration is missing, so 5xx (Twilio retries)
                return "signed with a Twilio SharedKey that is not configured (TWILIO_WEBHOOK_SHARED_KEY)", 500
        else:
            secret, algorithm = self.auth.twilio_auth_token, "HMAC_SHA1"
            if not secret:
                return "not signed with the configured Twilio SharedKey", 403
        url = request_url(self.public_url, target, headers)
        if not twilio_request_valid(secret, url, params, headers.get(TWILIO_SIGNATURE_HEADER.lower(), ""), algorithm):
            return "bad signature", 403
        return None

    def _inbound_email(self, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        """One Inbound Parse post -> one email_replies record. A post that is not a form is a 400
        (SendGrid retries only 5xx, so a malformed post is not retried for three days)."""
        from loan_comms.inbound.email_replies import InboundParseError, inbound_record

        try:
            record = inbound_record(content_type, body, received_at=datetime.now(UTC))
        except InboundParseError as exc:
            return 400, "text/plain", str(exc).encode()
        self.writer.add("email_replies", record)
        self._count("email_replies")
        return 200, "text/plain", b""


def serve(inbox: Path, port: int, public_url: str | None, auth: CallbackAuth, flush_seconds: float = 10.0,
          host: str = "127.0.0.1", production: bool = False, insecure: bool = False) -> None:
    """Run the receiver until interrupted (the CLI's receive-callbacks). It listens on the loopback
    interface unless told otherwise (`host`, the CLI's --bind-all): providers reach it through a
    reverse proxy or tunnel, and an open port that accepts unsigned posts must be a choice. It says
    once which checks are on and which are off (never a secret); `production` makes the off ones
    warnings, `insecure` (the CLI's --insecure-accept-unsigned, the only way a production-looking
    receiver starts with a check off: callback_auth.require_checks) makes them loud ones."""
    srv = CallbackServer(inbox, host=host, port=port, public_url=public_url, auth=auth,
                         flush_seconds=flush_seconds).start()
    print(f"receiving provider callbacks on {host}:{srv.port} -> {inbox}", flush=True)
    for line in auth.describe(public_url=public_url, production=production, insecure=insecure):
        print(line, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
