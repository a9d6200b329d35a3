"""The two webhook signatures the callback receiver checks, as the providers compute them.

Twilio (X-Twilio-Signature) mirrors `twilio.request_validator.RequestValidator.validate` of the
official `twilio` 9.13 library line by line, because a receiver that is stricter than Twilio's own
check refuses genuine callbacks (lost receipts, contacts stuck `sent`) and one that is looser
accepts forged ones:

- the signed string is the full URL Twilio requested (query included, as sent) followed by every
  POST parameter name and value, names sorted, each name's distinct values sorted;
- the URL is tried both with and without the default port (Twilio's signers are not consistent
  about `:443` / `:80`), so a callback signed either way passes;
- a JSON body comes with a `bodySHA256` query parameter: the body must hash to it, and the
  signature then covers the URL alone;
- HMAC-SHA1 with the account auth token, unless the request carries
  `X-Twilio-Webhooks-Signature-Settings` (a Webhook Setting with a SharedKey): then the key is that
  SharedKey's secret and the algorithm is the header's (`HMAC_SHA1` or `HMAC_SHA256`); any other
  algorithm is refused.

SendGrid's signed Event Webhook: ECDSA P-256 with SHA-256 over the timestamp header followed by the
raw body, the signature base64 DER in `X-Twilio-Email-Event-Webhook-Signature`, the public key the
base64 DER SubjectPublicKeyInfo SendGrid shows (the same check as `sendgrid.helpers.eventwebhook`).
The library does not judge the timestamp; we do, so a captured post cannot be replayed later.

Every comparison is constant-time; nothing here logs, and reasons never carry a header or body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import ParseResult, parse_qs, urlparse

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key, load_pem_public_key

from loan_comms.errors import LoanCommsError

TWILIO_SIGNATURE_HEADER: Final = "X-Twilio-Signature"
TWILIO_SETTINGS_HEADER: Final = "X-Twilio-Webhooks-Signature-Settings"
SENDGRID_SIGNATURE_HEADER: Final = "X-Twilio-Email-Event-Webhook-Signature"
SENDGRID_TIMESTAMP_HEADER: Final = "X-Twilio-Email-Event-Webhook-Timestamp"
HMAC_SHA1: Final = "HMAC_SHA1"
HMAC_SHA256: Final = "HMAC_SHA256"
_HASHES: Final = {HMAC_SHA1: hashlib.sha1, HMAC_SHA256: hashlib.sha256}

Params = Mapping[str, str | Iterable[str]]


class WebhookKeyError(LoanCommsError, ValueError):
    """The configured SendGrid verification key is not a P-256 public key: the receiver does not
    start (exit 2), since running without the check the operator asked for would accept forgeries."""

    exit_code = 2


def _same(a: str, b: str) -> bool:
    """Constant-time equality of two texts (hmac.compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


# --- Twilio ---------------------------------------------------------------------------------------

def signature_algorithm(settings_header: str | None) -> str:
    """The algorithm a `X-Twilio-Webhooks-Signature-Settings` value names (`key=...,algorithm=...`);
    none, or no `algorithm=`, is the legacy auth-token signature, HMAC_SHA1 (as the library reads it)."""
    for part in (settings_header or "").split(","):
        name, sep, value = part.partition("=")
        if sep and name.strip() == "algorithm" and value.strip():
            return value.strip()
    return HMAC_SHA1


def _values(params: Params, name: str) -> list[str]:
    value = params[name]
    return [value] if isinstance(value, str) else list(value)


def twilio_signature(secret: str, url: str, params: Params | None, algorithm: str = HMAC_SHA1) -> str:
    """base64(HMAC(secret, url + name1 + value1 + ...)): names sorted, each name's distinct values
    sorted (a repeated form field is signed once per distinct value). Raises ValueError for an
    algorithm other than HMAC_SHA1 / HMAC_SHA256."""
    digest = _HASHES.get(algorithm.upper())
    if digest is None:
        raise ValueError(f"unsupported Twilio signature algorithm {algorithm!r}")
    s = url
    for name in sorted(set(params or {})):
        for value in sorted(set(_values(params or {}, name))):
            s += name + value
    return base64.b64encode(hmac.new(secret.encode("utf-8"), s.encode("utf-8"), digest).digest()).decode()


def _with_port(uri: ParseResult) -> str:
    if uri.port:
        return uri.geturl()
    return uri._replace(netloc=f"{uri.netloc}:{443 if uri.scheme == 'https' else 80}").geturl()


def _without_port(uri: ParseResult) -> str:
    if not uri.port:
        return uri.geturl()
    return uri._replace(netloc=uri.netloc.split(":")[0]).geturl()


def twilio_request_valid(secret: str, url: str, params: Params | str | None, signature: str,
                         algorithm: str = HMAC_SHA1) -> bool:
    """Whether `signature` is Twilio's for this request, exactly as RequestValidator.validate judges
    it. `params` is the form (name -> value or values) for a form post, or the raw body text for a
    JSON post (then the URL's `bodySHA256` must be the body's SHA-256)."""
    if algorithm.upper() not in _HASHES or not signature:
        return False
    try:
        uri = urlparse(url)
        with_port, without_port = _with_port(uri), _without_port(uri)
    except ValueError:      # a port that is not a number: not a URL anyone signed
        return False
    body_ok = True
    query = parse_qs(uri.query)
    if isinstance(params, str):
        if "bodySHA256" not in query:
            # The library would fail on a non-form body without bodySHA256; only an empty one is signable.
            if params:
                return False
        else:
            body_ok = _same(hashlib.sha256(params.encode("utf-8")).hexdigest(), query["bodySHA256"][0])
        params = None
    ok_without = _same(twilio_signature(secret, without_port, params, algorithm), signature)
    ok_with = _same(twilio_signature(secret, with_port, params, algorithm), signature)
    return body_ok and (ok_without or ok_with)


def request_url(public_url: str | None, target: str, headers: Mapping[str, str]) -> str:
    """The URL the provider called: `public_url` (the receiver's public base, no trailing slash) +
    the request target, path and query as received. Without a public URL (behind a proxy that keeps
    the Host header) it is rebuilt from Host and X-Forwarded-Proto (http when absent). `headers`
    are lower-cased names."""
    if public_url:
        return public_url.rstrip("/") + target
    scheme = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower() or "http"
    return f"{scheme}://{headers.get('host', '127.0.0.1')}{target}"


# --- SendGrid -------------------------------------------------------------------------------------

def load_sendgrid_public_key(text: str, *, source: str) -> ec.EllipticCurvePublicKey:
    """The verification key as SendGrid's settings page shows it (base64 DER SubjectPublicKeyInfo,
    line breaks allowed) or as PEM. Raises WebhookKeyError naming `source` (never the key)."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = load_pem_public_key(text.encode("ascii"))
        else:
            key = load_der_public_key(base64.b64decode("".join(text.split()), validate=True))
    except (ValueError, TypeError, binascii.Error, UnsupportedAlgorithm, UnicodeEncodeError):
        raise WebhookKeyError(f"{source}: not a SendGrid Event Webhook verification key (expected the base64 "
                              "public key shown under Mail Settings > Signed Event Webhook)") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise WebhookKeyError(f"{source}: the SendGrid Event Webhook key must be an ECDSA P-256 public key")
    return key


def sendgrid_refusal(key: ec.EllipticCurvePublicKey, body: bytes, signature: str | None, timestamp: str | None,
                     *, now: float, tolerance_seconds: float) -> str | None:
    """Why this event post is refused, or None when it is SendGrid's and fresh. The timestamp is
    Unix seconds; one further than `tolerance_seconds` from `now` (past or future) is refused, so a
    captured post cannot be replayed."""
    if not signature or not timestamp:
        return "unsigned event post"
    try:
        sent_at = int(timestamp.strip())
    except ValueError:
        return "bad signature timestamp"
    if abs(now - sent_at) > tolerance_seconds:
        return "stale signature timestamp"
    try:
        der = base64.b64decode(signature.strip(), validate=True)
        key.verify(der, timestamp.encode("utf-8") + body, ec.ECDSA(hashes.SHA256()))
    except (binascii.Error, ValueError, InvalidSignature):
        return "bad signature"
    return None
