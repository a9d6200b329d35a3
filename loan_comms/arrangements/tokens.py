"""The token of a repayment-plan offer: HMAC-SHA256(key, 'plan:' || attempt_id), base64url, 22
characters (loan_comms/link_tokens.py, shared with the survey links). It is in the offer's link
([arrangements] link_base + token) and names the offer when the borrower answers the SMS menu.

The key: env LOAN_COMMS_PLAN_TOKEN_KEY, else the Prefect Secret block [arrangements] token_key_block;
a fixed development key only when neither is set AND no channel has a real provider (one warning).
Unlike a survey, a missing key must never stop the day's plan: `offer_key` answers None, and the
offer goes without a link (its text falls back to the help line), counted in the PlanReport.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from loan_comms.link_tokens import hmac_token, resolve_key

if TYPE_CHECKING:
    from loan_comms.config import LifecycleConfig

log = logging.getLogger("loan_comms.arrangements")

TOKEN_KEY_ENV = "LOAN_COMMS_PLAN_TOKEN_KEY"
_DEV_KEY = b"loan-comms-dev-plan-token-key"
_warned = {"dev": False}


def offer_token(key: bytes, attempt_id: str) -> str:
    """The token of the offer carried by contact `attempt_id`."""
    return hmac_token(key, f"plan:{attempt_id}")


def offer_key(cfg: LifecycleConfig) -> bytes | None:
    """The HMAC key, or None (with one warning) when it cannot be had: the plan goes on without links."""
    from loan_comms.delivery.providers.secrets import MissingSecret

    try:
        key, dev = resolve_key(cfg, env=TOKEN_KEY_ENV, block=cfg.arrangements.token_key_block,
                               what="plan token key", dev_key=_DEV_KEY)
    except MissingSecret as exc:
        log.warning("plan offers go without a link today (the borrower is given the help line): %s", exc)
        return None
    if dev and not _warned["dev"]:   # once per process: the simulator plans many days
        log.warning("plan offer tokens use the development key: set %s (or [arrangements] token_key_block) before "
                    "sending through a real provider", TOKEN_KEY_ENV)
        _warned["dev"] = True
    return key
