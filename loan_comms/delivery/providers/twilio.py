"""Twilio-compatible SMS: POST {base}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded, Basic auth.

Config `[providers.sms]`: kind = "twilio", base_url, from_number or messaging_service_sid,
optional status_callback (TWILIO_FROM_NUMBER in the environment stands in for from_number), account_sid_block / auth_token_block (Prefect Secret block names, used
only when TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN are not set), plus the HttpSettings keys.
"""

from __future__ import annotations

import os
from typing import Any, Sequence
from urllib.parse import quote, urlencode

import httpx

from loan_comms.config import ProviderConfig
from loan_comms.delivery.providers.base import OutMessage, SendResult
from loan_comms.masking import mask_pii
from loan_comms.delivery.providers.http import HttpProvider, HttpSettings, ProviderConfigError, Request
from loan_comms.delivery.providers.secrets import register_basic_auth, resolve_secret


class TwilioProvider(HttpProvider):
    name = "twilio"
    credentials_hint = "TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN"

    def __init__(self, channel: str, settings: HttpSettings, *, account_sid: str, auth_token: str,
                 from_number: str | None = None, messaging_service_sid: str | None = None,
                 status_callback: str | None = None) -> None:
        super().__init__(channel, settings)
        if not (from_number or messaging_service_sid):
            raise ProviderConfigError(f"providers.{channel}: set from_number or messaging_service_sid for Twilio "
                                      f"(or TWILIO_FROM_NUMBER in the environment)")
        self._path = f"/2010-04-01/Accounts/{quote(account_sid, safe='')}/Messages.json"
        self._auth = register_basic_auth(account_sid, auth_token)
        self._sender = {"MessagingServiceSid": messaging_service_sid} if messaging_service_sid else {"From": from_number}
        self._callback = {"StatusCallback": status_callback} if status_callback else {}

    @classmethod
    def from_config(cls, channel: str, pcfg: ProviderConfig) -> "TwilioProvider":
        extra: dict[str, Any] = dict(pcfg.model_extra or {})
        settings = HttpSettings.from_extra(channel, pcfg.base_url, extra)
        sid = resolve_secret("TWILIO_ACCOUNT_SID", extra.get("account_sid_block"), what=f"providers.{channel} (twilio)")
        token = resolve_secret("TWILIO_AUTH_TOKEN", extra.get("auth_token_block"), what=f"providers.{channel} (twilio)")
        return cls(channel, settings, account_sid=sid.get(), auth_token=token.get(),
                   from_number=extra.get("from_number") or os.environ.get("TWILIO_FROM_NUMBER"), messaging_service_sid=extra.get("messaging_service_sid"),
                   status_callback=extra.get("status_callback"))

    def build(self, unit: Sequence[OutMessage]) -> Request:
        (m,) = unit
        form = {"To": m.recipient or "", **self._sender, "Body": m.body_text or "", **self._callback}
        return Request(self._path, {
            "Authorization": self._auth,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }, urlencode(form).encode())

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

    def accepted(self, unit: Sequence[OutMessage], response: httpx.Response) -> list[SendResult]:
        (m,) = unit
        try:
            sid = response.json().get("sid")
        except (ValueError, AttributeError):
            sid = None
        if not sid:
            return self.unreadable(unit, response)
        return [SendResult(m.attempt_id, "sent", provider_message_id=sid)]

    def error_text(self, response: httpx.Response) -> str:
        try:
            doc = response.json()
            return mask_pii(f"twilio {doc.get('code', '')}: {doc.get('message', '')}".strip())[:300]
        except (ValueError, AttributeError):
            return mask_pii(response.text[:200])
