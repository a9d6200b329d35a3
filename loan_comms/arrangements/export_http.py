"""The core-banking webhook's wire: settings, the signature, one POST and one lookup, classified.

Why a module of its own: the exactly-once bookkeeping (export.py) must not care how a request
failed, only whether it *certainly did not arrive* (pending again), *may have arrived* (unknown,
looked up before any new send), *arrived* (delivered) or *was refused* (failed, loud). This module
turns every httpx outcome into one of those four, the same way loan_comms.delivery.providers.http
does for SMS and e-mail (its tuple of "never left this machine" errors is reused), since the core
banking system, like Twilio and SendGrid, does NOT deduplicate by any header: the Idempotency-Key we
send is for its logs and a future that may honour it, never relied on.

Signature: `X-LoanComms-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the
body being the payload bytes exactly as stored and sent (Stripe's scheme: the timestamp in the signed
text lets the receiver refuse replays older than its tolerance).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from loan_comms.delivery.providers.http import _NOT_SENT, answer_text
from loan_comms.delivery.providers.secrets import SecretValue, resolve_secret
from loan_comms.errors import LoanCommsError

URL_ENV = "LOAN_COMMS_ARRANGEMENT_URL"
LOOKUP_URL_ENV = "LOAN_COMMS_ARRANGEMENT_LOOKUP_URL"
SECRET_ENV = "LOAN_COMMS_ARRANGEMENT_SECRET"
SIGNATURE_HEADER = "X-LoanComms-Signature"

# What one request came to (see the module doc); `halt` marks a refusal that every later record of
# the pass would meet too (credentials, no such endpoint): the pass stops sending after it.
Verdict = Literal["delivered", "not_sent", "unknown", "failed"]


class ExportConfigError(LoanCommsError, ValueError):
    """[arrangements.export] cannot be used as set; names the key (never a secret value)."""

    exit_code = 2


@dataclass(frozen=True)
class Outcome:
    """One request's verdict, with the reason stored in arrangement_exports.error (no personal data)."""

    verdict: Verdict
    detail: str
    status: int | None = None
    halt: bool = False


@dataclass(frozen=True)
class Webhook:
    """Where and how records are POSTed: resolved once per pass, before anything is written."""

    url: str
    lookup_url: str | None
    secret: SecretValue
    timeout_seconds: float
    reconcile_after_seconds: int

    def lookup_for(self, export_id: str) -> str | None:
        return self.lookup_url.replace("{export_id}", export_id) if self.lookup_url else None


def webhook_from(export_cfg: Any) -> Webhook | None:
    """The webhook of `[arrangements.export]` (env LOAN_COMMS_ARRANGEMENT_URL / _LOOKUP_URL win), or
    None when no url is set (files only). A url without a secret, or a url that is not http(s), is an
    ExportConfigError / MissingSecret: one line, before the pass writes anything."""
    url = (os.environ.get(URL_ENV) or export_cfg.url or "").strip()
    if not url:
        return None
    lookup = (os.environ.get(LOOKUP_URL_ENV) or export_cfg.lookup_url or "").strip() or None
    for key, value in (("url", url), ("lookup_url", lookup)):
        if value is not None and not value.startswith(("http://", "https://")):
            raise ExportConfigError(f"arrangements.export.{key}: must start with http:// or https://")
    if lookup is not None and "{export_id}" not in lookup:
        raise ExportConfigError("arrangements.export.lookup_url: must contain {export_id} (where the record's id goes)")
    secret = resolve_secret(SECRET_ENV, export_cfg.secret_block,
                            what="arrangements.export.url is set but the webhook has no signing secret")
    return Webhook(url=url, lookup_url=lookup, secret=secret, timeout_seconds=float(export_cfg.timeout_seconds),
                   reconcile_after_seconds=int(export_cfg.reconcile_after_seconds))


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The X-LoanComms-Signature value for `body` signed at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, body: bytes, header: str | None, *, now: float | None = None,
           tolerance_seconds: float = 300) -> bool:
    """Whether `header` signs `body` with `secret`, made within `tolerance_seconds` of `now` (the
    receiver's check; the fake core banking server uses it, and so can a real receiver in Python)."""
    if not header:
        return False
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance_seconds:
        return False
    return hmac.compare_digest(signature(secret, body, t), f"t={t},v1={parts.get('v1', '')}")


def headers_for(hook: Webhook, export_id: str, body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", "Idempotency-Key": export_id,
            SIGNATURE_HEADER: signature(hook.secret.get(), body, int(time.time()))}


def post(client: httpx.Client, hook: Webhook, export_id: str, body: bytes) -> Outcome:
    """POST one record once (no retry here: a later pass retries what certainly did not arrive)."""
    try:
        response = client.post(hook.url, content=body, headers=headers_for(hook, export_id, body))
    except _NOT_SENT as exc:                       # refused, DNS, connect timeout: it never left
        return Outcome("not_sent", f"not sent: could not connect ({type(exc).__name__})")
    except httpx.TimeoutException as exc:          # written, no answer in time: it may have arrived
        return Outcome("unknown", f"outcome unknown: no answer within {hook.timeout_seconds:g}s after "
                                  f"sending ({type(exc).__name__})")
    except httpx.HTTPError as exc:                 # reset or closed after sending
        return Outcome("unknown", f"outcome unknown: connection lost after sending ({type(exc).__name__})")
    code = response.status_code
    if 200 <= code < 300:
        if response.content.strip():
            try:
                json.loads(response.content)
            except ValueError:
                return Outcome("unknown", f"outcome unknown: {code} answer that is not JSON", code)
        return Outcome("delivered", f"delivered ({code})", code)
    if code in (408, 429):
        return Outcome("not_sent", f"not sent: {code} {answer_text(response)}".strip(), code)
    if code >= 500:
        return Outcome("unknown", f"outcome unknown: {code} {answer_text(response)}".strip(), code)
    halt = code in (401, 403, 404, 405)
    return Outcome("failed", f"refused: {code} {answer_text(response)}".strip(), code, halt=halt)


def lookup(client: httpx.Client, hook: Webhook, export_id: str) -> Outcome:
    """Ask the core banking system whether a record arrived: 200 delivered, 404 not_sent (absent),
    anything else (or no answer) unknown: the record stays unknown, never re-sent on a guess."""
    url = hook.lookup_for(export_id)
    if url is None:
        return Outcome("unknown", "outcome unknown: no lookup_url to ask; an operator must resolve it")
    try:
        response = client.get(url, headers={"Idempotency-Key": export_id,
                                            SIGNATURE_HEADER: signature(hook.secret.get(), b"", int(time.time()))})
    except httpx.HTTPError as exc:
        return Outcome("unknown", f"outcome unknown: lookup got no answer ({type(exc).__name__})")
    if response.status_code == 200:
        return Outcome("delivered", "delivered (found by lookup)", 200)
    if response.status_code == 404:
        return Outcome("not_sent", "absent at lookup (404): sent again", 404)
    return Outcome("unknown", f"outcome unknown: lookup answered {response.status_code}", response.status_code)
