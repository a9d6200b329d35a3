"""Generic JSON webhook for in-house gateways: one POST per message, or per batch of messages.

Config `[providers.<channel>]`: kind = "webhook", base_url, optional `path` (default "/"),
`headers` (plain), `secret_headers` (header -> environment variable holding its value, e.g.
{Authorization = "LOAN_COMMS_WEBHOOK_TOKEN"}), `batch` (messages per request; 1 = per message).

Per message: {"idempotency_key", "attempt_id", "channel", "to", "subject", "text", "html"} with an
Idempotency-Key header; answer 2xx {"id": "..."}. Per batch: {"messages": [...]}; answer 2xx
{"results": [{"idempotency_key", "id", "status": "accepted" | "rejected", "error"}]}. An answer
without an id, or a message missing from the results, is an unknown outcome (never re-sent
blindly, like a lost answer); 401/403 halt the channel: check the secret_headers.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Sequence

from loan_comms.config import ProviderConfig
from loan_comms.delivery.providers.base import OutMessage, SendResult
from loan_comms.masking import mask_pii
from loan_comms.delivery.providers.http import Answer, HttpProvider, HttpSettings, ProviderConfigError, Request
from loan_comms.delivery.providers.secrets import resolve_secret


class WebhookProvider(HttpProvider):
    name = "webhook"
    # The in-house contract deduplicates by idempotency_key, so a contact left planned by a crash is
    # safely sent again with the same key: no claim (a claimed one could never be settled, since this
    # gateway cannot be asked whether it has a message).
    claims = False

    def __init__(self, channel: str, settings: HttpSettings, *, path: str = "/",
                 headers: dict[str, str] | None = None, batch: int = 1) -> None:
        super().__init__(channel, settings)
        self.credentials_hint = f"providers.{channel}.secret_headers"
        self.path = path if path.startswith("/") else "/" + path
        self.headers = {"Content-Type": "application/json", **(headers or {})}
        self.batch_size = max(1, int(batch))

    @classmethod
    def from_config(cls, channel: str, pcfg: ProviderConfig) -> "WebhookProvider":
        extra: dict[str, Any] = dict(pcfg.model_extra or {})
        settings = HttpSettings.from_extra(channel, pcfg.base_url, extra)
        headers = extra.get("headers") or {}
        secret_headers = extra.get("secret_headers") or {}
        if not isinstance(headers, dict) or not isinstance(secret_headers, dict):
            raise ProviderConfigError(f"providers.{channel}.headers: must be a table of header = value")
        merged = {str(k): str(v) for k, v in headers.items()}
        for header, env_var in secret_headers.items():
            merged[str(header)] = resolve_secret(str(env_var), None, what=f"providers.{channel}.secret_headers.{header}").get()
        try:
            batch = int(extra.get("batch", 1) or 1)
        except (TypeError, ValueError):
            raise ProviderConfigError(f"providers.{channel}.batch: {extra.get('batch')!r} is not a whole number") from None
        return cls(channel, settings, path=str(extra.get("path", "/")), headers=merged, batch=batch)

    @staticmethod
    def _doc(m: OutMessage) -> dict[str, Any]:
        return {"idempotency_key": m.idempotency_key, "attempt_id": m.attempt_id, "channel": m.channel,
                "to": m.recipient, "subject": m.subject, "text": m.body_text, "html": m.body_html}

    def build(self, unit: Sequence[OutMessage]) -> Request:
        if self.batch_size == 1:
            (m,) = unit
            body = self._doc(m)
            key = m.idempotency_key
        else:
            body = {"messages": [self._doc(m) for m in unit]}
            key = "batch-" + hashlib.sha256("\n".join(m.idempotency_key for m in unit).encode()).hexdigest()[:32]
        return Request(self.path, {**self.headers, "Idempotency-Key": key},
                       json.dumps(body, ensure_ascii=False).encode())

    def accepted(self, unit: Sequence[OutMessage], response: Answer) -> list[SendResult]:
        try:
            doc = response.json()
        except ValueError:
            doc = {}
        if not isinstance(doc, dict):
            return self.unreadable(unit, response)
        if self.batch_size == 1:
            (m,) = unit
            mid = doc.get("id")
            if not mid:
                return self.unreadable(unit, response)
            return [SendResult(m.attempt_id, "sent", provider_message_id=str(mid))]
        by_key = {r.get("idempotency_key"): r for r in (doc.get("results") or []) if isinstance(r, dict)}
        out = []
        for m in unit:
            r = by_key.get(m.idempotency_key)
            if r is None:
                out += self.unreadable([m], response)
            elif r.get("status", "accepted") == "accepted":
                out.append(SendResult(m.attempt_id, "sent", provider_message_id=r.get("id") or f"webhook-{m.attempt_id}"))
            else:
                out.append(SendResult(m.attempt_id, "failed", error=mask_pii(f"webhook: {r.get('error', 'rejected')}")[:300]))
        return out

    def error_text(self, response: Answer) -> str:
        try:
            doc = response.json()
            return mask_pii(f"webhook: {doc.get('error') or doc.get('message') or doc}")[:300]
        except (ValueError, AttributeError):
            return mask_pii(response.text[:200])
