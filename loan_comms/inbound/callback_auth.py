"""Which checks the callback receiver applies, and where their secrets come from.

The receiver reads secrets from the same places dispatch does (`resolve_secret`: the environment
first, else the Prefect Secret block the provider's config section names), so one rotation of the
Twilio auth token serves both the requests we sign and the callbacks we check:

    Twilio auth token        TWILIO_AUTH_TOKEN, else [providers.sms] auth_token_block
    Twilio SharedKey secret  TWILIO_WEBHOOK_SHARED_KEY, else [providers.sms] webhook_shared_key_block
                             (only for callbacks a Webhook Setting signs: X-Twilio-Webhooks-Signature-Settings)
    SendGrid verification    LOAN_COMMS_SENDGRID_WEBHOOK_PUBLIC_KEY, else [providers.email]
      key (public)           webhook_public_key_block
    callback token           LOAN_COMMS_CALLBACK_TOKEN (`?token=` on the SendGrid URLs)

A check whose secret is not set anywhere is off. On a developer's loopback that is fine (the
receiver starts and `describe` says so). In a setup that looks like production (`production_reasons`:
--public-url, --bind-all, or a Twilio/SendGrid provider in the config) an off check means anyone
who finds the URL can forge receipts, and receipts change dispatch state (a forged `queued` with an
attempt id settles an unknown send, a forged error 21610 opts a borrower out), so `require_checks`
refuses the start with one line (exit 2) unless the operator passes --insecure-accept-unsigned,
and then every off check is a loud warning. A Secret block that is named but cannot be loaded, or a
key that does not parse, stops the start with one line (exit 2): the operator asked for that check.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import ec

from loan_comms.delivery.providers.secrets import register, resolve_secret
from loan_comms.errors import LoanCommsError
from loan_comms.inbound.signatures import load_sendgrid_public_key

if TYPE_CHECKING:
    from loan_comms.config import LifecycleConfig

DEFAULT_TOLERANCE_SECONDS = 300.0
SENDGRID_KEY_ENV = "LOAN_COMMS_SENDGRID_WEBHOOK_PUBLIC_KEY"
CALLBACK_TOKEN_ENV = "LOAN_COMMS_CALLBACK_TOKEN"
SHARED_KEY_ENV = "TWILIO_WEBHOOK_SHARED_KEY"
INSECURE_FLAG = "--insecure-accept-unsigned"
_TWILIO_HOW = "set TWILIO_AUTH_TOKEN or [providers.sms] auth_token_block"
_SENDGRID_HOW = f"set {SENDGRID_KEY_ENV} or [providers.email] webhook_public_key_block"
_TOKEN_HOW = f"set {CALLBACK_TOKEN_ENV}"


class UnsignedCallbacksRefused(LoanCommsError, RuntimeError):
    """A production-looking receiver with a check off would accept forged callbacks, and those
    change dispatch state: it does not start (exit 2) unless --insecure-accept-unsigned says so."""

    exit_code = 2


@dataclass(frozen=True)
class CallbackAuth:
    """The receiver's checks. None = that check is off. `*_from` say where a value came from (an
    environment variable or a block name, never the value), for the startup lines."""

    twilio_auth_token: str | None = None
    twilio_shared_key: str | None = None
    sendgrid_public_key: ec.EllipticCurvePublicKey | None = None
    callback_token: str | None = None
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS
    twilio_from: str = ""
    shared_key_from: str = ""
    sendgrid_from: str = ""

    def __repr__(self) -> str:   # never print a secret, even in a traceback's locals
        return (f"CallbackAuth(twilio={'on' if self.twilio_auth_token else 'off'}, shared_key="
                f"{'on' if self.twilio_shared_key else 'off'}, sendgrid={'on' if self.sendgrid_public_key else 'off'}, "
                f"token={'on' if self.callback_token else 'off'})")

    @property
    def twilio_on(self) -> bool:
        return bool(self.twilio_auth_token or self.twilio_shared_key)

    def off_checks(self) -> list[str]:
        """The checks that are off, each with how to turn it on (for the refusal line)."""
        off = []
        if not self.twilio_on:
            off.append(f"twilio signatures ({_TWILIO_HOW})")
        if self.sendgrid_public_key is None:
            off.append(f"sendgrid event signatures ({_SENDGRID_HOW})")
        if not self.callback_token:
            off.append(f"callback token ({_TOKEN_HOW})")
        return off

    def describe(self, *, public_url: str | None, production: bool, insecure: bool = False) -> list[str]:
        """One line per check, on or off, naming where its secret comes from (never the secret).
        An off check in a production-looking setup is a `warning:` line, a `WARNING` one naming the
        flag when it runs only because of --insecure-accept-unsigned. With Twilio checks on in such
        a setup and no public URL, one more warning: the signed URL is rebuilt from headers a proxy
        may rewrite (then every genuine callback is refused)."""
        warn = (f"WARNING ({INSECURE_FLAG}): " if insecure else "warning: ") if production else ""
        url = "--public-url + path and query" if public_url else "Host header (+ X-Forwarded-Proto) + path and query"
        if self.twilio_on:
            keys = [f"auth token from {self.twilio_from}"] if self.twilio_auth_token else ["no auth token"]
            if self.twilio_shared_key:
                keys.append(f"SharedKey secret from {self.shared_key_from}")
            twilio = f"twilio signatures: on ({', '.join(keys)}; signed URL = {url})"
        else:
            twilio = f"{warn}twilio signatures: OFF, anyone can post Twilio callbacks ({_TWILIO_HOW})"
        if self.sendgrid_public_key is not None:
            sendgrid = (f"sendgrid event signatures: on (key from {self.sendgrid_from}; unsigned posts and "
                        f"timestamps more than {self.tolerance_seconds:g} s off are refused)")
        else:
            who = "only the callback token guards SendGrid events" if self.callback_token else \
                "anyone can post SendGrid events"
            sendgrid = f"{warn}sendgrid event signatures: OFF, {who} ({_SENDGRID_HOW})"
        if self.callback_token:
            token = (f"callback token: on ({CALLBACK_TOKEN_ENV}; ?token= required on /sendgrid/events and "
                     "/sendgrid/inbound, which SendGrid does not sign)")
        else:
            token = (f"{warn}callback token: OFF, /sendgrid/inbound (never signed by SendGrid) "
                     f"accepts e-mail from anyone ({_TOKEN_HOW})")
        lines = [twilio, sendgrid, token]
        if production and self.twilio_on and not public_url:
            lines.append("warning: twilio signatures are checked against a URL rebuilt from the Host header and "
                         "X-Forwarded-Proto; a proxy that rewrites either refuses every genuine callback: set "
                         "--public-url (LOAN_COMMS_PUBLIC_URL) to the address Twilio calls")
        return lines


def _optional_secret(env_var: str, block: Any, what: str) -> tuple[str | None, str]:
    """(value, where it came from), or (None, "") when neither the variable nor a block is set."""
    if os.environ.get(env_var, "").strip():
        return resolve_secret(env_var, None, what=what).get(), env_var
    if block:
        return resolve_secret(env_var, str(block), what=what).get(), f"Prefect Secret block {block!r}"
    return None, ""


def _extra(cfg: "LifecycleConfig | None", channel: str) -> dict[str, Any]:
    if cfg is None:
        return {}
    return dict(cfg.provider(channel).model_extra or {})


def resolve_callback_auth(cfg: "LifecycleConfig | None", *,
                          tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS) -> CallbackAuth:
    """The checks from the environment and the config's provider sections. Raises MissingSecret
    (a named block that cannot be loaded) or WebhookKeyError (a key that does not parse), both
    one-line errors with exit code 2."""
    sms, email = _extra(cfg, "sms"), _extra(cfg, "email")
    token, token_from = _optional_secret("TWILIO_AUTH_TOKEN", sms.get("auth_token_block"), "providers.sms (twilio)")
    shared, shared_from = _optional_secret(SHARED_KEY_ENV, sms.get("webhook_shared_key_block"),
                                           "providers.sms (twilio webhook SharedKey)")
    key_text, key_from = _optional_secret(SENDGRID_KEY_ENV, email.get("webhook_public_key_block"),
                                          "providers.email (sendgrid event webhook key)")
    key = load_sendgrid_public_key(key_text, source=key_from) if key_text else None
    callback_token = os.environ.get(CALLBACK_TOKEN_ENV, "").strip() or None
    if callback_token:
        register(callback_token)
    return CallbackAuth(twilio_auth_token=token, twilio_shared_key=shared, sendgrid_public_key=key,
                        callback_token=callback_token, tolerance_seconds=tolerance_seconds,
                        twilio_from=token_from, shared_key_from=shared_from, sendgrid_from=key_from)


def production_reasons(cfg: "LifecycleConfig | None", *, public_url: str | None, bind_all: bool) -> list[str]:
    """Why this receiver looks like production (empty on a developer's loopback): others can reach
    it (every interface, a public URL) or a real provider feeds it. Named in the refusal line, so
    the operator sees which option or setting made the checks mandatory."""
    reasons = []
    if public_url:
        reasons.append("--public-url")
    if bind_all:
        reasons.append("--bind-all")
    if cfg is not None:
        if cfg.provider("sms").kind == "twilio":
            reasons.append("[providers.sms] kind twilio")
        if cfg.provider("email").kind == "sendgrid":
            reasons.append("[providers.email] kind sendgrid")
    return reasons


def looks_like_production(cfg: "LifecycleConfig | None", *, public_url: str | None, bind_all: bool) -> bool:
    """A receiver others can reach or one fed by a real provider (`production_reasons`): there an
    open check is refused or warned about; on a developer's loopback it is just a fact."""
    return bool(production_reasons(cfg, public_url=public_url, bind_all=bind_all))


def require_checks(auth: CallbackAuth, reasons: list[str], *, insecure: bool) -> None:
    """Refuse to start (UnsignedCallbacksRefused, one line, exit 2) when the setup looks like
    production (`reasons` non-empty) and a check is off, unless `insecure` (the operator's explicit
    --insecure-accept-unsigned; `describe` then warns per open check). Receipts settle unknown
    sends and record opt-outs, so an open endpoint in production is a way to change who gets
    messaged, not only noise in the inbox."""
    off = auth.off_checks()
    if not reasons or not off or insecure:
        return
    raise UnsignedCallbacksRefused(
        f"receive-callbacks looks like production ({', '.join(reasons)}) but would accept unsigned callbacks, "
        f"checks off: {'; '.join(off)}. Set them, or pass {INSECURE_FLAG} to run anyway")
