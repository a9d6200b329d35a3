"""Tokens in the links loan-comms sends (a survey's, a repayment-plan offer's): HMAC-SHA256 of a
message under a key, base64url, 22 characters (132 bits), unguessable without the key and the same
for the same contact (a re-run renders the same link).

The key is resolved the same way for every kind of link: an environment variable, else a Prefect
Secret block named in the config, and a fixed development key only when neither is set AND no
channel has a real provider (the caller warns once). Shared by surveys/tokens.py and
arrangements/tokens.py so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loan_comms.config import LifecycleConfig

TOKEN_LENGTH = 22


def hmac_token(key: bytes, message: str) -> str:
    """22 base64url characters of HMAC-SHA256(key, message)."""
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:TOKEN_LENGTH]


def resolve_key(cfg: LifecycleConfig, *, env: str, block: str | None, what: str, dev_key: bytes) -> tuple[bytes, bool]:
    """(key, is_development_key). Raises MissingSecret when a real provider is configured and no key
    is, or when the named block cannot be loaded."""
    from loan_comms.delivery.providers.secrets import MissingSecret, resolve_secret

    try:
        return resolve_secret(env, block, what=what).get().encode(), False
    except MissingSecret:
        real = [ch for ch in ("sms", "email") if cfg.provider(ch).kind != "outbox"]
        if block or real:
            raise
    return dev_key, True
