"""The response token in a survey's link: HMAC-SHA256(key, attempt_id), base64url, 22 characters.

Unguessable without the key, and the same for the same contact (a re-run renders the same link);
the HMAC and the key's resolution are shared with the plan offers' tokens (loan_comms/link_tokens.py).
The key: env LOAN_COMMS_SURVEY_TOKEN_KEY, else the Prefect Secret block [surveys] token_key_block;
a fixed development key only when neither is set AND no channel has a real provider (one warning).
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from loan_comms.link_tokens import TOKEN_LENGTH, hmac_token, resolve_key

if TYPE_CHECKING:
    from loan_comms.config import LifecycleConfig

log = logging.getLogger("loan_comms.surveys")

TOKEN_KEY_ENV = "LOAN_COMMS_SURVEY_TOKEN_KEY"
__all__ = ["TOKEN_KEY_ENV", "TOKEN_LENGTH", "attempt_id_for", "token_for", "token_key"]
_DEV_KEY = b"loan-comms-dev-survey-token-key"
_warned = False


def attempt_id_for(idempotency_key: str) -> str:
    """The attempt_id contact_attempts gives a contact (sql/lifecycle/plan/record_rendered.sql)."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]


def token_for(key: bytes, attempt_id: str) -> str:
    """The survey token of contact `attempt_id`: 22 base64url characters (132 bits of the HMAC)."""
    return hmac_token(key, attempt_id)


def token_key(cfg: LifecycleConfig) -> bytes:
    """The HMAC key (see the module doc). Raises MissingSecret when a real provider is configured
    and no key is, or when the named block cannot be loaded."""
    key, dev = resolve_key(cfg, env=TOKEN_KEY_ENV, block=cfg.surveys.token_key_block, what="survey token key",
                           dev_key=_DEV_KEY)
    if not dev:
        return key
    global _warned
    if not _warned:   # once per process: the simulator plans many days
        log.warning("survey tokens use the development key: set %s (or [surveys] token_key_block) before "
                    "sending through a real provider", TOKEN_KEY_ENV)
        _warned = True
    return _DEV_KEY
