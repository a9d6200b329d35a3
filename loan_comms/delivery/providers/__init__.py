"""Where messages go: the local outbox (default) or HTTP gateways (Twilio, SendGrid, webhook).

`build_provider(channel, cfg)` picks one from the lifecycle config (environment variables first).
Work-item channels (call, letter, visit) always go to the outbox: collectors, print and field
teams pick them up there.
"""

from __future__ import annotations

from loan_comms.delivery.providers.base import OutMessage, Provider, SendResult, build_provider

__all__ = ["OutMessage", "Provider", "SendResult", "build_provider"]
