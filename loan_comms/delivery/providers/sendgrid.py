"""SendGrid-compatible e-mail: POST {base}/v3/mail/send, JSON, bearer key; 202 + X-Message-Id.

Config `[providers.email]`: kind = "sendgrid", base_url, from_email (or SENDGRID_FROM_EMAIL in the
environment), optional from_name,
api_key_block (Prefect Secret block name, used only when SENDGRID_API_KEY is not set), plus the
HttpSettings keys. Our attempt id travels in custom_args so event webhooks can be matched back.
"""

from __future__ import annotations

import json
import os
from typing import Any, Sequence

import httpx

from loan_comms.config import ProviderConfig
from loan_comms.delivery.providers.base import OutMessage, SendResult
from loan_comms.masking import mask_pii
from loan_comms.delivery.providers.http import HttpProvider, HttpSettings, ProviderConfigError, Request
from loan_comms.delivery.providers.secrets import resolve_secret


class SendGridProvider(HttpProvider):
    name = "sendgrid"
    credentials_hint = "SENDGRID_API_KEY"
    # Proof of a send is its Event Webhook event, which SendGrid posts in batches: wait longer.
    default_reconcile_after = 900.0

    def __init__(self, channel: str, settings: HttpSettings, *, api_key: str, from_email: str | None,
                 from_name: str | None = None) -> None:
        super().__init__(channel, settings)
        if not from_email:
            raise ProviderConfigError(f"providers.{channel}.from_email: required for SendGrid")
        self._auth = f"Bearer {api_key}"
        self._from = {"email": from_email, **({"name": from_name} if from_name else {})}

    @classmethod
    def from_config(cls, channel: str, pcfg: ProviderConfig) -> "SendGridProvider":
        extra: dict[str, Any] = dict(pcfg.model_extra or {})
        settings = HttpSettings.from_extra(channel, pcfg.base_url, extra)
        key = resolve_secret("SENDGRID_API_KEY", extra.get("api_key_block"), what=f"providers.{channel} (sendgrid)")
        return cls(channel, settings, api_key=key.get(), from_email=extra.get("from_email") or os.environ.get("SENDGRID_FROM_EMAIL"),
                   from_name=extra.get("from_name"))

    def build(self, unit: Sequence[OutMessage]) -> Request:
        (m,) = unit
        content = [{"type": "text/plain", "value": m.body_text or ""}]
        if m.body_html:
            content.append({"type": "text/html", "value": m.body_html})
        doc = {
            "personalizations": [{"to": [{"email": m.recipient}]}],
            "from": self._from,
            "subject": m.subject or "",
            "content": content,
            "custom_args": {"attempt_id": m.attempt_id},
        }
        return Request("/v3/mail/send", {
            "Authorization": self._auth, "Content-Type": "application/json",
        }, json.dumps(doc, ensure_ascii=False).encode())

    def accepted(self, unit: Sequence[OutMessage], response: httpx.Response) -> list[SendResult]:
        (m,) = unit
        mid = response.headers.get("x-message-id")
        if not mid:
            return self.unreadable(unit, response)
        return [SendResult(m.attempt_id, "sent", provider_message_id=mid)]

    def error_text(self, response: httpx.Response) -> str:
        try:
            errs = response.json().get("errors") or []
            msg = "; ".join(f"{e.get('message', '')}" + (f" ({e['field']})" if e.get("field") else "") for e in errs)
            return mask_pii(f"sendgrid: {msg}")[:300]
        except (ValueError, AttributeError):
            return mask_pii(response.text[:200])
