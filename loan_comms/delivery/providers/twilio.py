"""Twilio-compatible SMS: POST {base}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded, Basic auth.

Config `[providers.sms]`: kind = "twilio", base_url, from_number or messaging_service_sid
(TWILIO_FROM_NUMBER in the environment stands in for from_number), optional status_callback,
account_sid_block / auth_token_block (Prefect Secret block names, used only when
TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN are not set), plus the HttpSettings keys.

A StatusCallback always: without one Twilio never tells us what became of a message, and every
contact stays `sent` forever (no delivered, no failure, no 21610). Its base is, first found:
`status_callback` in the config, LOAN_COMMS_STATUS_CALLBACK_URL, LOAN_COMMS_PUBLIC_URL (the
callback receiver's public address, `receive-callbacks --public-url`) + /twilio/status. Each message
carries its own `?attempt_id=<id>`: the receiver copies it into the receipt, which matches the
contact even when the send's answer was lost and we never learnt Twilio's message sid. With none
of the three, dispatch says so once per process.

Error 21610 (the number texted STOP to our sender; Twilio refuses it) fails that contact like any
4xx, records an SMS opt-out for the number (`persist`, in dispatch's write-back transaction), and
does not count toward "refusing everything": it says nothing about our account or sender.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any, Mapping, Sequence
from urllib.parse import quote, quote_plus, urlencode

from loan_comms.config import ProviderConfig
from loan_comms.delivery.providers.base import OutMessage, SendResult
from loan_comms.masking import mask_pii
from loan_comms.delivery.providers.http import Answer, HttpProvider, HttpSettings, ProviderConfigError, Request
from loan_comms.delivery.providers.secrets import register_basic_auth, resolve_secret

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

log = logging.getLogger(__name__)

STATUS_CALLBACK_ENV = "LOAN_COMMS_STATUS_CALLBACK_URL"
PUBLIC_URL_ENV = "LOAN_COMMS_PUBLIC_URL"
STATUS_PATH = "/twilio/status"          # the callback receiver's route (loan_comms/inbound/callbacks.py)
UNSUBSCRIBED = 21610                    # "Attempt to send to unsubscribed recipient"
# How HttpProvider records a 4xx: "<status> <error_text>", ours "twilio <code>: <message>".
_UNSUBSCRIBED_ERROR = re.compile(rf"^4\d\d twilio {UNSUBSCRIBED}\b")
_warned_no_callback = [False]


def status_callback_base(channel: str, extra: Mapping[str, Any]) -> str | None:
    """The StatusCallback base URL (config key, then LOAN_COMMS_STATUS_CALLBACK_URL, then
    LOAN_COMMS_PUBLIC_URL + /twilio/status), or None when none is set."""
    for value, where in ((extra.get("status_callback"), f"providers.{channel}.status_callback"),
                         (os.environ.get(STATUS_CALLBACK_ENV), STATUS_CALLBACK_ENV)):
        if value and str(value).strip():
            return _checked_url(str(value).strip(), where)
    public = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if public:
        return _checked_url(public, PUBLIC_URL_ENV).split("?", 1)[0].rstrip("/") + STATUS_PATH
    return None


def _checked_url(value: str, where: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ProviderConfigError(f"{where}: must be an http:// or https:// URL (the callback receiver's public address)")
    return value


def callback_url(base: str, attempt_id: str) -> str:
    """`base` with ?attempt_id=<id> (URL-encoded; &attempt_id= when the base has a query already)."""
    base, _, fragment = base.partition("#")
    joiner = "&" if "?" in base else "?"
    if base.endswith(("?", "&")):
        joiner = ""
    return base + joiner + urlencode({"attempt_id": attempt_id}) + (f"#{fragment}" if fragment else "")


def is_unsubscribed(error: str | None) -> bool:
    """Whether a failed send's error is Twilio's 21610 (the recipient unsubscribed from our sender)."""
    return bool(error and _UNSUBSCRIBED_ERROR.match(error))


def warn_no_status_callback(channel: str) -> None:
    """Once per process: Twilio sends without a StatusCallback leave contacts `sent` forever."""
    if _warned_no_callback[0]:
        return
    _warned_no_callback[0] = True
    log.warning("%s provider twilio sends without a StatusCallback: contacts will stay 'sent' forever (no delivery, "
                "failure or opt-out reports); set LOAN_COMMS_PUBLIC_URL (the callback receiver's public URL), "
                "LOAN_COMMS_STATUS_CALLBACK_URL, or providers.%s.status_callback", channel, channel)


class TwilioProvider(HttpProvider):
    name = "twilio"
    credentials_hint = "TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN"

    def __init__(self, channel: str, settings: HttpSettings, *, account_sid: str, auth_token: str,
                 from_number: str | None = None, messaging_service_sid: str | None = None,
                 status_callback: str | None = None) -> None:
        super().__init__(channel, settings)
        if not (from_number or messaging_service_sid):
            raise ProviderConfigError(
                f"providers.{channel}.from_number: Twilio needs a sender; set from_number (or "
                f"messaging_service_sid) under [providers.{channel}] in the lifecycle config, or "
                f"TWILIO_FROM_NUMBER in the environment")
        # Recorded on each claimed contact so reconciliation asks the account the request went to; a
        # fingerprint, since the SID is treated as a secret here (never in the log or the database).
        self.account_id = "acct:" + hashlib.sha256(account_sid.encode()).hexdigest()[:16]
        self._path = f"/2010-04-01/Accounts/{quote(account_sid, safe='')}/Messages.json"
        self._auth = register_basic_auth(account_sid, auth_token)
        self._sender = {"MessagingServiceSid": messaging_service_sid} if messaging_service_sid else {"From": from_number}
        self._sender_form = urlencode(self._sender)   # the fixed part of every request's form, encoded once
        self._headers = {"Authorization": self._auth, "Content-Type": "application/x-www-form-urlencoded",
                         "Accept": "application/json"}
        self._callback = status_callback
        if not status_callback:
            warn_no_status_callback(channel)

    @classmethod
    def from_config(cls, channel: str, pcfg: ProviderConfig) -> "TwilioProvider":
        extra: dict[str, Any] = dict(pcfg.model_extra or {})
        settings = HttpSettings.from_extra(channel, pcfg.base_url, extra)
        sid = resolve_secret("TWILIO_ACCOUNT_SID", extra.get("account_sid_block"), what=f"providers.{channel} (twilio)")
        token = resolve_secret("TWILIO_AUTH_TOKEN", extra.get("auth_token_block"), what=f"providers.{channel} (twilio)")
        return cls(channel, settings, account_sid=sid.get(), auth_token=token.get(),
                   from_number=extra.get("from_number") or os.environ.get("TWILIO_FROM_NUMBER"), messaging_service_sid=extra.get("messaging_service_sid"),
                   status_callback=status_callback_base(channel, extra))

    def build(self, unit: Sequence[OutMessage]) -> Request:
        """To, the sender, Body and StatusCallback, form-encoded: the bytes urlencode() gives for
        that dict, with the sender encoded once (a sixth of a send's CPU went to encoding the form)."""
        (m,) = unit
        form = f"To={quote_plus(m.recipient or '')}&{self._sender_form}&Body={quote_plus(m.body_text or '')}"
        if self._callback:
            form += "&StatusCallback=" + quote_plus(callback_url(self._callback, m.attempt_id))
        return Request(self._path, self._headers, form.encode())

    # What reconciliation (twilio_lookup.py) reads the Message list with: the same account, credentials and sender.
    @property
    def messages_path(self) -> str:
        return self._path

    @property
    def auth_header(self) -> str:
        return self._auth

    @property
    def sender(self) -> dict[str, str]:
        return {k: v for k, v in self._sender.items() if v}

    def accepted(self, unit: Sequence[OutMessage], response: Answer) -> list[SendResult]:
        (m,) = unit
        try:
            sid = response.json().get("sid")
        except (ValueError, AttributeError):
            sid = None
        if not sid:
            return self.unreadable(unit, response)
        return [SendResult(m.attempt_id, "sent", provider_message_id=sid)]

    def error_text(self, response: Answer) -> str:
        try:
            doc = response.json()
            return mask_pii(f"twilio {doc.get('code', '')}: {doc.get('message', '')}".strip())[:300]
        except (ValueError, AttributeError):
            return mask_pii(response.text[:200])

    def _refused(self, error: str) -> None:
        """21610 is one borrower's choice, not a sign we are refused everything: not counted."""
        if not is_unsubscribed(error):
            super()._refused(error)

    def persist(self, con: "duckdb.DuckDBPyConnection", messages: Sequence[OutMessage],
                results: Sequence[SendResult], now: datetime) -> None:
        """Inside dispatch's write-back transaction: an SMS opt-out for the number of each contact
        Twilio refused with 21610 (once per contact: a replayed pass records nothing new)."""
        from loan_comms.inbound.provider_reports import record_reports, twilio_unsubscribed

        rows = [twilio_unsubscribed(r.attempt_id, None, now, "send") for r in results
                if r.outcome == "failed" and is_unsubscribed(r.error)]
        if rows:
            added = record_reports(con, rows, now)
            log.info("%s: %d number(s) unsubscribed at Twilio (21610) recorded as SMS opt-outs",
                     self.channel, added["opt_out"])
