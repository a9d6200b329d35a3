"""SendGrid-compatible e-mail: POST {base}/v3/mail/send, JSON, bearer key; 202 + X-Message-Id.

Config `[providers.email]`: kind = "sendgrid", base_url, from_email (or SENDGRID_FROM_EMAIL in the
environment), optional from_name, api_key_block (Prefect Secret block name, used only when
SENDGRID_API_KEY is not set), plus the HttpSettings keys. Our attempt id travels in custom_args so
event webhooks can be matched back (and prove a send whose answer was lost).

Optional, so the provider's reports reach us in a form we act on:
- `categories`: up to 10 ASCII strings of at most 255 characters (SendGrid's limits), sent as the
  message's `categories`, for the provider's statistics. Never personal data: SendGrid keeps them
  as non-PII.
- `asm_group_id` (an unsubscribe group id, a whole number) and `asm_groups_to_display` (up to 25
  group ids shown on the preferences page): sent as `asm`, so SendGrid's unsubscribe link and
  preference page unsubscribe from that group and the Event Webhook reports `group_unsubscribe`,
  which receipts ingestion records as an e-mail opt-out. Without it an unsubscribe is global.
Each is checked when the provider is built; a bad one is one line naming the key.
"""

from __future__ import annotations

import json
import os
from typing import Any, Sequence

from loan_comms.config import ProviderConfig
from loan_comms.delivery.providers.base import OutMessage, SendResult
from loan_comms.masking import mask_pii
from loan_comms.delivery.providers.http import Answer, HttpProvider, HttpSettings, ProviderConfigError, Request
from loan_comms.delivery.providers.secrets import resolve_secret


class SendGridProvider(HttpProvider):
    name = "sendgrid"
    credentials_hint = "SENDGRID_API_KEY"
    # Proof of a send is its Event Webhook event, which SendGrid posts in batches: wait longer.
    default_reconcile_after = 900.0

    def __init__(self, channel: str, settings: HttpSettings, *, api_key: str, from_email: str | None,
                 from_name: str | None = None, categories: Any = None, asm_group_id: Any = None,
                 asm_groups_to_display: Any = None, canary_to: str | None = None) -> None:
        super().__init__(channel, settings)
        if canary_to is not None and (not isinstance(canary_to, str) or "@" not in canary_to):
            raise ProviderConfigError(f"providers.{channel}.canary_to: an e-mail address of the lender's own "
                                      f"(delivery checks go there), got {canary_to!r}")
        self.canary_to = canary_to   # reconciliation's delivery checks (sendgrid_events.py); never a borrower
        if not from_email:
            raise ProviderConfigError(
                f"providers.{channel}.from_email: SendGrid needs a sender; set from_email under "
                f"[providers.{channel}] in the lifecycle config, or SENDGRID_FROM_EMAIL in the environment")
        self._auth = f"Bearer {api_key}"
        self._from = {"email": from_email, **({"name": from_name} if from_name else {})}
        self._extra: dict[str, Any] = {}
        cats = _categories(channel, categories)
        if cats:
            self._extra["categories"] = cats
        asm = _asm(channel, asm_group_id, asm_groups_to_display)
        if asm:
            self._extra["asm"] = asm

    @classmethod
    def from_config(cls, channel: str, pcfg: ProviderConfig) -> "SendGridProvider":
        extra: dict[str, Any] = dict(pcfg.model_extra or {})
        settings = HttpSettings.from_extra(channel, pcfg.base_url, extra)
        key = resolve_secret("SENDGRID_API_KEY", extra.get("api_key_block"), what=f"providers.{channel} (sendgrid)")
        return cls(channel, settings, api_key=key.get(),
                   from_email=extra.get("from_email") or os.environ.get("SENDGRID_FROM_EMAIL"),
                   from_name=extra.get("from_name"), categories=extra.get("categories"),
                   asm_group_id=extra.get("asm_group_id"), asm_groups_to_display=extra.get("asm_groups_to_display"),
                   canary_to=extra.get("canary_to"))

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
            **self._extra,
        }
        return Request("/v3/mail/send", {
            "Authorization": self._auth, "Content-Type": "application/json",
        }, json.dumps(doc, ensure_ascii=False).encode())

    def accepted(self, unit: Sequence[OutMessage], response: Answer) -> list[SendResult]:
        (m,) = unit
        mid = response.headers.get("x-message-id")
        if not mid:
            return self.unreadable(unit, response)
        return [SendResult(m.attempt_id, "sent", provider_message_id=mid)]

    def error_text(self, response: Answer) -> str:
        try:
            errs = response.json().get("errors") or []
            msg = "; ".join(f"{e.get('message', '')}" + (f" ({e['field']})" if e.get("field") else "") for e in errs)
            return mask_pii(f"sendgrid: {msg}")[:300]
        except (ValueError, AttributeError):
            return mask_pii(response.text[:200])


MAX_CATEGORIES, MAX_CATEGORY_LEN, MAX_GROUPS_TO_DISPLAY = 10, 255, 25   # SendGrid's mail/send limits


def _categories(channel: str, value: Any) -> list[str]:
    """The configured categories, checked against SendGrid's limits (a refused request would fail
    every e-mail of the pass with a 400: better one line when the provider is built)."""
    key = f"providers.{channel}.categories"
    if value is None or value == []:
        return []
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ProviderConfigError(f"{key}: must be a list of strings, e.g. [\"collections\"]")
    if len(value) > MAX_CATEGORIES:
        raise ProviderConfigError(f"{key}: at most {MAX_CATEGORIES} categories (SendGrid's limit), got {len(value)}")
    out: list[str] = []
    for i, c in enumerate(value, 1):
        if not isinstance(c, str) or not c.strip():
            raise ProviderConfigError(f"{key}: category {i} must be a non-empty string")
        if not c.isascii():
            raise ProviderConfigError(f"{key}: category {i} must be ASCII (SendGrid's limit)")
        if len(c) > MAX_CATEGORY_LEN:
            raise ProviderConfigError(f"{key}: category {i} is longer than {MAX_CATEGORY_LEN} characters")
        if c not in out:
            out.append(c)
    return out


def _group_id(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ProviderConfigError(f"{key}: must be a whole number (a SendGrid unsubscribe group id)")
    try:
        n = int(value)
    except ValueError:
        raise ProviderConfigError(f"{key}: {value!r} is not a whole number (a SendGrid unsubscribe group id)") from None
    if n <= 0:
        raise ProviderConfigError(f"{key}: must be greater than 0 (a SendGrid unsubscribe group id)")
    return n


def _asm(channel: str, group_id: Any, to_display: Any) -> dict[str, Any]:
    """{"group_id": n, "groups_to_display": [...]} (the latter only when set), or {} without a group."""
    if group_id is None or group_id == "":
        if to_display:
            raise ProviderConfigError(f"providers.{channel}.asm_groups_to_display: needs "
                                      f"providers.{channel}.asm_group_id (the group this e-mail belongs to)")
        return {}
    asm: dict[str, Any] = {"group_id": _group_id(f"providers.{channel}.asm_group_id", group_id)}
    if to_display:
        key = f"providers.{channel}.asm_groups_to_display"
        if isinstance(to_display, (str, int)) or not isinstance(to_display, (list, tuple)):
            raise ProviderConfigError(f"{key}: must be a list of group ids, e.g. [{asm['group_id']}]")
        groups = list(dict.fromkeys(_group_id(key, g) for g in to_display))
        if len(groups) > MAX_GROUPS_TO_DISPLAY:
            raise ProviderConfigError(f"{key}: at most {MAX_GROUPS_TO_DISPLAY} groups (SendGrid's limit)")
        asm["groups_to_display"] = groups
    return asm
