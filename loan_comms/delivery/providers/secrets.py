"""Provider secrets: from environment variables, else a Prefect Secret block; never logged.

Values are wrapped so that repr/str print '***', and every value loaded is registered with a
logging filter that redacts it (and its Basic-auth form) from httpx/httpcore/aiohttp/loan_comms records,
so a URL or header echoed by a library cannot leak it either. The same filter masks personal data
(phone numbers, e-mail addresses, URL-encoded too: `loan_comms.masking.mask_pii`) in what the HTTP
libraries log: httpx logs every request's full URL at INFO, and reconciliation's Twilio lookup asks
`Messages.json?To=%2B1202...`.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
from typing import Any, cast

from loan_comms.errors import LoanCommsError
from loan_comms.masking import mask_pii

_known: set[str] = set()
_lock = threading.Lock()
# Logger filters only see records logged on that very logger, so name each one that may echo a
# URL or header (httpx logs "HTTP Request: POST <url>" at INFO; the Twilio URL holds the SID).
_LOGGERS = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy",
            "aiohttp", "aiohttp.client", "aiohttp.internal",   # the providers' sends (providers/http.py)
            "loan_comms.delivery.dispatch", "loan_comms.delivery.providers.http")


class SecretValue:
    """A secret string that prints as '***'; call .get() only where the value goes on the wire."""

    __slots__ = ("_value", "name")

    def __init__(self, value: str, name: str) -> None:
        self._value = value
        self.name = name

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"SecretValue({self.name}=***)"

    __str__ = __repr__


class MissingSecret(LoanCommsError, RuntimeError):
    """A secret the configured provider needs is not set; names where to set it, not a value."""

    exit_code = 2


def register(value: str) -> None:
    """Remember a secret value (and derived forms) so logs and error texts redact it."""
    if not value or len(value) < 4:
        return
    with _lock:
        _known.add(value)
    _install_filter()


def register_basic_auth(user: str, password: str) -> str:
    """The Basic auth header value for user:password, registered for redaction."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    register(token)
    return f"Basic {token}"


def redact(text: str) -> str:
    """`text` with every known secret replaced by '***'."""
    if not text:
        return text
    for v in sorted(_known, key=len, reverse=True):
        if v in text:
            text = text.replace(v, "***")
    return text


def resolve_secret(env_var: str, block_name: str | None = None, *, what: str) -> SecretValue:
    """The secret from env var `env_var`, else from Prefect Secret block `block_name` (if configured)."""
    value = os.environ.get(env_var, "").strip()
    if not value and block_name:
        from prefect.blocks.system import Secret  # only now: importing prefect takes ~1.6 s

        try:
            # Called from sync code, so prefect's @sync_compatible `load` returns the block itself.
            block = cast("Secret[Any]", Secret.load(block_name))
            value = str(block.get()).strip()
        except Exception as exc:
            raise MissingSecret(f"{what}: Prefect Secret block {block_name!r} could not be loaded "
                                f"({type(exc).__name__}); or set environment variable {env_var}") from None
    if not value:
        hint = f" or Prefect Secret block {block_name!r}" if block_name else ""
        raise MissingSecret(f"{what}: set environment variable {env_var}{hint}")
    register(value)
    return SecretValue(value, env_var)


# Loggers of libraries that echo what goes on the wire (URLs, with our borrowers' numbers in the
# query): their records are masked for personal data too. Ours mask at the source (the rule), and
# keep their ids and counts as written.
_LIBRARY_LOGGERS = ("httpx", "httpcore", "aiohttp")


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (formatted with its args, then args dropped) with secrets
    replaced and, on the HTTP libraries' loggers, personal data masked, before any handler formats
    it. A record that does not format is left to the handler's own error path."""

    def filter(self, record: logging.LogRecord) -> bool:
        pii = record.name.split(".", 1)[0] in _LIBRARY_LOGGERS
        if not (_known or pii):
            return True
        try:
            msg = record.getMessage()
        except Exception:
            return True
        clean = redact(msg)
        if pii:
            clean = mask_pii(clean)
        if clean != msg:
            record.msg, record.args = clean, None
        return True


_filter = RedactingFilter()
_installed = False


def _install_filter() -> None:
    global _installed
    if _installed:
        return
    for name in _LOGGERS:
        logging.getLogger(name).addFilter(_filter)
    _installed = True


# Installed as soon as provider code is loaded, not only once a secret is: the personal data in a
# logged URL needs no secret to leak.
_install_filter()
