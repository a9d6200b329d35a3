"""Webhook authenticity (issue 13), proved with the providers' own libraries.

Requests are signed by the official `twilio` RequestValidator and by a P-256 key as SendGrid signs
(checked against the official `sendgrid` EventWebhook verifier): what they sign passes, a forged
signature, a tampered body, another URL, a stale timestamp do not, and nothing refused is written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st
from sendgrid.helpers.eventwebhook import EventWebhook
from twilio.request_validator import RequestValidator

from loan_comms.inbound.callback_auth import CallbackAuth, resolve_callback_auth
from loan_comms.inbound.callbacks import CallbackServer
from loan_comms.inbound.signatures import (WebhookKeyError, load_sendgrid_public_key, sendgrid_refusal,
                                           twilio_request_valid, twilio_signature)

AUTH_TOKEN = "twilio-auth-token-0123456789abcdef"
SHARED_KEY = "shared-key-secret-fedcba9876543210"
PUBLIC = "https://callbacks.example.com"
FORM = {"MessageSid": "SM0123456789abcdef", "MessageStatus": "delivered", "ErrorCode": "",
        "To": "+12025550123", "AccountSid": "AC123"}
NOW = 1_900_000_000.0


def _records(inbox: Path, kind: str) -> list[dict[str, Any]]:
    return [json.loads(line) for f in sorted((inbox / kind).glob("*.jsonl")) for line in f.read_text().splitlines()]


def _server(tmp_path: Path, **auth: Any) -> CallbackServer:
    """A receiver (not started: `handle` is called directly) behind PUBLIC, clock at NOW."""
    return CallbackServer(tmp_path / "inbox", public_url=PUBLIC, auth=CallbackAuth(**auth), flush_seconds=60,
                          clock=lambda: NOW)


def _form_post(srv: CallbackServer, target: str, form: dict[str, str], signature: str,
               extra: dict[str, str] | None = None) -> int:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature,
               "Host": "callbacks.example.com", **(extra or {})}
    return srv.handle(target, headers, urlencode(form).encode())[0]


# --- Twilio -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("signed_url", [PUBLIC + "/twilio/status?attempt_id=42",
                                        "https://callbacks.example.com:443/twilio/status?attempt_id=42"])
def test_a_status_callback_signed_by_twilio_passes_with_or_without_the_port(tmp_path, signed_url):
    srv = _server(tmp_path, twilio_auth_token=AUTH_TOKEN)
    sig = RequestValidator(AUTH_TOKEN).compute_signature(signed_url, FORM)
    assert _form_post(srv, "/twilio/status?attempt_id=42", FORM, sig) == 204
    srv.writer.flush()
    (rec,) = _records(tmp_path / "inbox", "receipts")
    assert rec["attempt_id"] == "42" and rec["MessageSid"] == FORM["MessageSid"] and rec["ErrorCode"] == ""


def test_a_public_url_given_with_its_port_accepts_a_signature_made_without_it(tmp_path):
    srv = CallbackServer(tmp_path / "inbox", public_url="https://callbacks.example.com:443",
                         twilio_auth_token=AUTH_TOKEN, flush_seconds=60)
    sig = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + "/twilio/inbound", FORM)
    assert _form_post(srv, "/twilio/inbound", FORM, sig) == 200


def test_forged_tampered_or_misaddressed_twilio_posts_are_refused_and_write_nothing(tmp_path):
    srv = _server(tmp_path, twilio_auth_token=AUTH_TOKEN)
    target = "/twilio/status?attempt_id=42"
    good = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + target, FORM)
    refused = {
        "forged": _form_post(srv, target, FORM, base64.b64encode(b"x" * 20).decode()),
        "other token": _form_post(srv, target, FORM, RequestValidator("another-token").compute_signature(
            PUBLIC + target, FORM)),
        "tampered body": _form_post(srv, target, {**FORM, "MessageStatus": "failed"}, good),
        "added field": _form_post(srv, target, {**FORM, "ErrorCode": "21610"}, good),
        "other attempt": _form_post(srv, "/twilio/status?attempt_id=43", FORM, good),
        "other path": _form_post(srv, "/twilio/inbound?attempt_id=42", FORM, good),
        "other host": _form_post(srv, target, FORM, RequestValidator(AUTH_TOKEN).compute_signature(
            "https://evil.example.com" + target, FORM)),
        "http for https": _form_post(srv, target, FORM, RequestValidator(AUTH_TOKEN).compute_signature(
            "http://callbacks.example.com" + target, FORM)),
        "no signature": _form_post(srv, target, FORM, ""),
    }
    assert refused == dict.fromkeys(refused, 403)
    assert srv.counts["refused"] == len(refused) and srv.counts["receipts"] == srv.counts["replies"] == 0
    assert srv.writer.flush() == []


def test_repeated_form_fields_are_signed_as_twilio_signs_them(tmp_path):
    """RequestValidator signs each name's distinct values, sorted (it reads a MultiDict's getall)."""

    class MultiDict(dict[str, list[str]]):
        def getall(self, name: str) -> list[str]:
            return self[name]

    params = MultiDict({"MessageSid": ["SM1"], "MediaUrl": ["https://m/b", "https://m/a"]})
    sig = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + "/twilio/inbound", params)
    srv = _server(tmp_path, twilio_auth_token=AUTH_TOKEN)
    body = "MessageSid=SM1&MediaUrl=https%3A%2F%2Fm%2Fb&MediaUrl=https%3A%2F%2Fm%2Fa".encode()
    status, _, _ = srv.handle("/twilio/inbound", {"Content-Type": "application/x-www-form-urlencoded",
                                                 "X-Twilio-Signature": sig}, body)
    assert status == 200


def test_a_json_body_is_checked_by_its_bodySHA256(tmp_path):
    srv = _server(tmp_path, twilio_auth_token=AUTH_TOKEN)
    body = json.dumps({"MessageSid": "SM9", "MessageStatus": "read"})
    target = f"/twilio/status?attempt_id=7&bodySHA256={hashlib.sha256(body.encode()).hexdigest()}"
    sig = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + target, {})
    assert RequestValidator(AUTH_TOKEN).validate(PUBLIC + target, body, sig)
    headers = {"Content-Type": "application/json", "X-Twilio-Signature": sig}
    assert srv.handle(target, headers, body.encode())[0] == 204
    tampered = body.replace("read", "failed")
    assert not RequestValidator(AUTH_TOKEN).validate(PUBLIC + target, tampered, sig)
    assert srv.handle(target, headers, tampered.encode())[0] == 403
    srv.writer.flush()
    (rec,) = _records(tmp_path / "inbox", "receipts")
    assert rec == {"MessageSid": "SM9", "MessageStatus": "read", "attempt_id": "7"}


def test_a_webhook_setting_signs_with_its_shared_key_and_hmac_sha256(tmp_path):
    url = PUBLIC + "/twilio/status?attempt_id=42"
    header = {"X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"}
    sig = RequestValidator(SHARED_KEY).compute_signature(url, FORM, algorithm="HMAC_SHA256")
    assert RequestValidator(SHARED_KEY).validate(url, FORM, sig, algorithm="HMAC_SHA256")
    srv = _server(tmp_path, twilio_auth_token=AUTH_TOKEN, twilio_shared_key=SHARED_KEY)
    target = "/twilio/status?attempt_id=42"
    assert _form_post(srv, target, FORM, sig, header) == 204
    # the same secret with SHA-1, or the auth token with SHA-256, is not what the header says
    sha1 = RequestValidator(SHARED_KEY).compute_signature(url, FORM)
    token256 = RequestValidator(AUTH_TOKEN).compute_signature(url, FORM, algorithm="HMAC_SHA256")
    assert _form_post(srv, target, FORM, sha1, header) == 403
    assert _form_post(srv, target, FORM, token256, header) == 403
    assert _form_post(srv, target, FORM, sig) == 403     # no header: the auth token and SHA-1 are expected
    unknown = {"X-Twilio-Webhooks-Signature-Settings": "key=k,algorithm=HMAC_SHA512"}
    assert _form_post(srv, target, FORM, sig, unknown) == 403
    # a Setting signs with a key we were not given: our configuration is missing, Twilio should retry
    assert _form_post(_server(tmp_path, twilio_auth_token=AUTH_TOKEN), target, FORM, sig, header) == 500


def test_behind_a_proxy_without_a_public_url_the_host_and_forwarded_proto_make_the_url(tmp_path):
    srv = CallbackServer(tmp_path / "inbox", twilio_auth_token=AUTH_TOKEN, flush_seconds=60)
    sig = RequestValidator(AUTH_TOKEN).compute_signature("https://hooks.example.org/twilio/status?attempt_id=5", FORM)
    proxied = {"Host": "hooks.example.org", "X-Forwarded-Proto": "https"}
    assert _form_post(srv, "/twilio/status?attempt_id=5", FORM, sig, proxied) == 204
    assert _form_post(srv, "/twilio/status?attempt_id=5", FORM, sig, {"Host": "hooks.example.org"}) == 403


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(host=st.sampled_from(["callbacks.example.com", "callbacks.example.com:443", "callbacks.example.com:8443",
                             "10.0.0.1:80"]),
       scheme=st.sampled_from(["https", "http"]),
       signed_host=st.sampled_from(["callbacks.example.com", "callbacks.example.com:443",
                                    "callbacks.example.com:80", "callbacks.example.com:8443", "10.0.0.1"]),
       query=st.sampled_from(["", "?attempt_id=42", "?attempt_id=42&x=%20y"]),
       params=st.dictionaries(st.text("AZaz_", min_size=1, max_size=6), _text, max_size=5),
       token=st.sampled_from([AUTH_TOKEN, "other-token"]),
       algorithm=st.sampled_from(["HMAC_SHA1", "HMAC_SHA256", "hmac_sha256"]))
def test_our_twilio_check_agrees_with_request_validator(host, scheme, signed_host, query, params, token, algorithm):
    """Whatever the URL variant signed and the one checked, ours says what RequestValidator.validate says."""
    url = f"{scheme}://{host}/twilio/status{query}"
    sig = RequestValidator(token).compute_signature(f"{scheme}://{signed_host}/twilio/status{query}", params,
                                                    algorithm=algorithm)
    assert sig == twilio_signature(token, f"{scheme}://{signed_host}/twilio/status{query}", params, algorithm)
    expected = RequestValidator(AUTH_TOKEN).validate(url, params, sig, algorithm=algorithm)
    assert twilio_request_valid(AUTH_TOKEN, url, params, sig, algorithm) == expected


# --- SendGrid ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sg_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _public_b64(key: ec.EllipticCurvePrivateKey) -> str:
    """The public key as SendGrid's settings page shows it: base64 DER SubjectPublicKeyInfo."""
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def _sign(key: ec.EllipticCurvePrivateKey, timestamp: str, body: bytes) -> str:
    """As SendGrid signs an event post: ECDSA P-256 / SHA-256 over timestamp + body, base64 DER."""
    return base64.b64encode(key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))).decode()


EVENTS = json.dumps([{"event": "processed", "attempt_id": "42", "sg_message_id": "abc.1", "timestamp": 1}]).encode()


def _sg_headers(signature: str, timestamp: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Twilio-Email-Event-Webhook-Signature": signature,
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp}


def test_signed_sendgrid_events_pass_and_forgeries_fail_as_the_official_verifier_judges(tmp_path, sg_key):
    other = ec.generate_private_key(ec.SECP256R1())
    ts = str(int(NOW))
    cases = {
        "genuine": (EVENTS, _sign(sg_key, ts, EVENTS), ts),
        "tampered body": (EVENTS.replace(b"processed", b"delivered"), _sign(sg_key, ts, EVENTS), ts),
        "other key": (EVENTS, _sign(other, ts, EVENTS), ts),
        "timestamp moved": (EVENTS, _sign(sg_key, ts, EVENTS), str(int(NOW) - 1)),
        "garbage": (EVENTS, base64.b64encode(b"\x30\x06\x02\x01\x01\x02\x01\x01").decode(), ts),
    }
    official = EventWebhook(_public_b64(sg_key))
    srv = _server(tmp_path, sendgrid_public_key=load_sendgrid_public_key(_public_b64(sg_key), source="test"))
    for name, (body, sig, stamp) in cases.items():
        theirs = official.verify_signature(body.decode(), sig, stamp)
        status = srv.handle("/sendgrid/events", _sg_headers(sig, stamp), body)[0]
        assert (status == 200) == theirs == (name == "genuine"), name
    srv.writer.flush()
    (rec,) = _records(tmp_path / "inbox", "receipts")
    assert rec["attempt_id"] == "42"


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_a_stale_or_future_timestamp_is_refused_even_when_signed(tmp_path, sg_key, offset):
    ts = str(int(NOW) + offset)
    sig = _sign(sg_key, ts, EVENTS)
    assert EventWebhook(_public_b64(sg_key)).verify_signature(EVENTS.decode(), sig, ts)   # the library checks no time
    srv = _server(tmp_path, sendgrid_public_key=load_sendgrid_public_key(_public_b64(sg_key), source="test"))
    assert srv.handle("/sendgrid/events", _sg_headers(sig, ts), EVENTS)[0] == 403
    assert srv.counts["refused"] == 1 and srv.counts["receipts"] == 0
    within = str(int(NOW) - 299)
    assert srv.handle("/sendgrid/events", _sg_headers(_sign(sg_key, within, EVENTS), within), EVENTS)[0] == 200


def test_a_configured_key_refuses_unsigned_posts_and_the_token_stays_a_second_factor(tmp_path, sg_key):
    key = load_sendgrid_public_key(_public_b64(sg_key), source="test")
    srv = _server(tmp_path, sendgrid_public_key=key, callback_token="cb-token-1")
    ts = str(int(NOW))
    signed = _sg_headers(_sign(sg_key, ts, EVENTS), ts)
    assert srv.handle("/sendgrid/events?token=cb-token-1", {"Content-Type": "application/json"}, EVENTS)[0] == 403
    assert srv.handle("/sendgrid/events", signed, EVENTS)[0] == 403
    assert srv.handle("/sendgrid/events?token=wrong", signed, EVENTS)[0] == 403
    assert srv.handle("/sendgrid/events?token=cb-token-1", signed, EVENTS)[0] == 200
    # Inbound Parse is not signed by SendGrid: the token alone guards it
    assert srv.handle("/sendgrid/inbound", {"Content-Type": "text/plain"}, b"x")[0] == 403
    assert srv.counts["refused"] == 4


def test_over_http_a_signed_post_lands_and_a_forged_one_is_refused(tmp_path, sg_key):
    """The whole path: real requests (httpx) to a started receiver, the records in the inbox."""
    key = load_sendgrid_public_key(_public_b64(sg_key), source="test")
    srv = CallbackServer(tmp_path / "inbox", auth=CallbackAuth(twilio_auth_token=AUTH_TOKEN, sendgrid_public_key=key),
                         flush_seconds=60).start()
    try:
        target = "/twilio/status?attempt_id=42"
        sig = RequestValidator(AUTH_TOKEN).compute_signature(srv.url + target, FORM)
        headers = {"X-Twilio-Signature": sig, "Content-Type": "application/x-www-form-urlencoded"}
        assert httpx.post(srv.url + target, content=urlencode(FORM), headers=headers).status_code == 204
        forged = {**headers, "X-Twilio-Signature": RequestValidator("x" * 32).compute_signature(srv.url + target, FORM)}
        assert httpx.post(srv.url + target, content=urlencode(FORM), headers=forged).status_code == 403
        ts = str(int(time.time()))
        assert httpx.post(srv.url + "/sendgrid/events", content=EVENTS,
                          headers=_sg_headers(_sign(sg_key, ts, EVENTS), ts)).status_code == 200
        assert httpx.post(srv.url + "/sendgrid/events", content=EVENTS,
                          headers=_sg_headers(_sign(sg_key, ts, b"[]"), ts)).status_code == 403
    finally:
        srv.stop()
    assert srv.counts == {"receipts": 2, "replies": 0, "email_replies": 0, "refused": 2}
    assert sorted(r.get("attempt_id") for r in _records(tmp_path / "inbox", "receipts")) == ["42", "42"]


def test_the_key_is_read_as_sendgrid_shows_it_or_as_pem_and_a_bad_one_is_one_clear_error(sg_key):
    b64 = _public_b64(sg_key)
    pem = sg_key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    wrapped = "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64))
    for text in (b64, pem, wrapped):
        key = load_sendgrid_public_key(text, source="env")
        ts = str(int(NOW))
        assert sendgrid_refusal(key, EVENTS, _sign(sg_key, ts, EVENTS), ts, now=NOW, tolerance_seconds=300) is None
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    for bad in ("not a key", base64.b64encode(b"junk").decode(), base64.b64encode(p384).decode()):
        with pytest.raises(WebhookKeyError) as err:
            load_sendgrid_public_key(bad, source="LOAN_COMMS_SENDGRID_WEBHOOK_PUBLIC_KEY")
        assert "LOAN_COMMS_SENDGRID_WEBHOOK_PUBLIC_KEY" in str(err.value) and bad not in str(err.value)


# --- configuration and startup ----------------------------------------------------------------------

def test_secrets_come_from_the_environment_or_the_blocks_dispatch_uses(monkeypatch, cfg, sg_key):
    from prefect.blocks.system import Secret

    from loan_comms.config import ProviderConfig

    blocks = {"twilio-auth-token": AUTH_TOKEN, "sg-webhook-key": _public_b64(sg_key)}

    class Loaded:
        def __init__(self, value: str) -> None:
            self.value = value

        def get(self) -> str:
            return self.value

    monkeypatch.setattr(Secret, "load", classmethod(lambda cls, name, *a, **k: Loaded(blocks[name])))
    for name in ("TWILIO_AUTH_TOKEN", "TWILIO_WEBHOOK_SHARED_KEY"):
        monkeypatch.delenv(name, raising=False)
    with_blocks = cfg.model_copy(update={"providers": {
        "sms": ProviderConfig(kind="twilio", auth_token_block="twilio-auth-token"),
        "email": ProviderConfig(kind="sendgrid", webhook_public_key_block="sg-webhook-key")}})
    auth = resolve_callback_auth(with_blocks)
    assert auth.twilio_auth_token == AUTH_TOKEN and auth.sendgrid_public_key is not None
    assert auth.twilio_from == "Prefect Secret block 'twilio-auth-token'"
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "from-the-environment")
    assert resolve_callback_auth(with_blocks).twilio_auth_token == "from-the-environment"
    assert resolve_callback_auth(cfg).sendgrid_public_key is None      # the shipped config names no block


def _receive(monkeypatch, tmp_path, *args: str) -> tuple[Any, list[dict[str, Any]]]:
    """Run `receive-callbacks --inbox <tmp> ARGS` with `serve` replaced by a recorder."""
    from typer.testing import CliRunner

    import loan_comms.inbound.callbacks as callbacks
    from loan_comms.cli import app

    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(callbacks, "serve", lambda inbox, port, public_url, auth, *a, **k:
                        seen.append(dict(auth=auth, public_url=public_url, **k)))
    return CliRunner().invoke(app, ["receive-callbacks", "--inbox", str(tmp_path), *args]), seen


def _clear_secrets(monkeypatch) -> None:
    for name in ("TWILIO_AUTH_TOKEN", "TWILIO_WEBHOOK_SHARED_KEY", "LOAN_COMMS_SENDGRID_WEBHOOK_PUBLIC_KEY",
                 "LOAN_COMMS_CALLBACK_TOKEN", "LOAN_COMMS_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)


def test_startup_says_which_checks_are_on_without_a_secret(monkeypatch, tmp_path, sg_key):
    _clear_secrets(monkeypatch)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("LOAN_COMMS_SENDGRID_WEBHOOK_PUBLIC_KEY", _public_b64(sg_key))
    monkeypatch.setenv("LOAN_COMMS_CALLBACK_TOKEN", "callback-token-0123456789")
    monkeypatch.setenv("LOAN_COMMS_PUBLIC_URL", PUBLIC)
    result, seen = _receive(monkeypatch, tmp_path)
    assert result.exit_code == 0, result.output
    auth, production = seen[-1]["auth"], seen[-1]["production"]
    assert production and auth.twilio_auth_token == AUTH_TOKEN and not seen[-1]["insecure"]
    lines = auth.describe(public_url=PUBLIC, production=production)
    assert len(lines) == 3 and all(AUTH_TOKEN not in line and _public_b64(sg_key) not in line for line in lines)
    assert lines[0].startswith("twilio signatures: on (auth token from TWILIO_AUTH_TOKEN")
    assert lines[1].startswith("sendgrid event signatures: on (key from LOAN_COMMS_SENDGRID_WEBHOOK_PUBLIC_KEY")
    assert lines[2].startswith("callback token: on (LOAN_COMMS_CALLBACK_TOKEN")
    assert AUTH_TOKEN not in repr(auth) and "callback-token-0123456789" not in " ".join(lines)
    # nothing set on a developer's loopback: every check off, said plainly, no warning and no crash
    _clear_secrets(monkeypatch)
    result, seen = _receive(monkeypatch, tmp_path)
    assert result.exit_code == 0, result.output
    auth, production = seen[-1]["auth"], seen[-1]["production"]
    assert not production and [line.split(":")[0] for line in auth.describe(public_url=None, production=False)] == [
        "twilio signatures", "sendgrid event signatures", "callback token"]


@pytest.mark.parametrize("args, env, reason", [
    (["--public-url", PUBLIC], {}, "--public-url"),
    ([], {"LOAN_COMMS_PUBLIC_URL": PUBLIC}, "--public-url"),
    (["--bind-all"], {}, "--bind-all"),
    (["--config", "{twilio_config}"], {}, "[providers.sms] kind twilio"),
])
def test_a_production_looking_receiver_with_a_check_off_does_not_start(monkeypatch, tmp_path, args, env, reason):
    """Receipts settle unknown sends and record opt-outs: a public receiver that accepts unsigned
    posts lets anyone change who is messaged. One line, exit 2, naming why it looks like
    production and each check that is off with where to set it."""
    _clear_secrets(monkeypatch)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if "{twilio_config}" in args:
        from loan_comms.config import CONFIG_PATH

        text = CONFIG_PATH.read_text(encoding="utf-8")
        assert '[providers.sms]\nkind = "outbox"\n' in text
        path = tmp_path / "twilio.toml"
        path.write_text(text.replace('[providers.sms]\nkind = "outbox"\n',
                                     '[providers.sms]\nkind = "twilio"\nfrom_number = "+12025550000"\n'))
        args = [str(path) if a == "{twilio_config}" else a for a in args]
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)      # one check on, two off
    result, seen = _receive(monkeypatch, tmp_path, *args)
    assert result.exit_code == 2, result.output
    assert not seen, "the receiver must not start"
    out = result.output.strip()
    assert len(out.splitlines()) == 1 and "Traceback" not in out and AUTH_TOKEN not in out
    assert out.startswith("loan-comms: receive-callbacks looks like production (") and reason in out
    assert "sendgrid event signatures (set LOAN_COMMS_SENDGRID_WEBHOOK_PUBLIC_KEY" in out
    assert "callback token (set LOAN_COMMS_CALLBACK_TOKEN)" in out and "twilio signatures (" not in out
    assert "--insecure-accept-unsigned" in out


def test_the_insecure_flag_starts_it_and_each_open_check_is_a_loud_warning(monkeypatch, tmp_path, capsys):
    _clear_secrets(monkeypatch)
    result, seen = _receive(monkeypatch, tmp_path, "--bind-all", "--insecure-accept-unsigned")
    assert result.exit_code == 0, result.output
    auth, production, insecure = seen[-1]["auth"], seen[-1]["production"], seen[-1]["insecure"]
    assert production and insecure
    lines = auth.describe(public_url=None, production=production, insecure=insecure)
    assert len(lines) == 3
    assert all(line.startswith("WARNING (--insecure-accept-unsigned): ") and ": OFF" in line for line in lines)
    # and the real serve prints them
    import loan_comms.inbound.callbacks as callbacks
    monkeypatch.undo()
    monkeypatch.setattr(callbacks.time, "sleep", lambda s: (_ for _ in ()).throw(KeyboardInterrupt()))
    callbacks.serve(tmp_path / "inbox", 0, None, auth, 60, production=True, insecure=True)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("receiving provider callbacks on 127.0.0.1:") and printed[1:] == lines


def test_loopback_without_a_real_provider_needs_no_secret_and_no_flag():
    from loan_comms.inbound.callback_auth import production_reasons, require_checks

    assert production_reasons(None, public_url=None, bind_all=False) == []
    require_checks(CallbackAuth(), [], insecure=False)      # a developer's receiver starts
    full = CallbackAuth(twilio_auth_token=AUTH_TOKEN, sendgrid_public_key=ec.generate_private_key(
        ec.SECP256R1()).public_key(), callback_token="t0k3n-value")
    assert full.off_checks() == []
    require_checks(full, ["--bind-all"], insecure=False)    # every check on: production starts


def test_twilio_checks_without_a_public_url_in_production_warn_once_to_set_it():
    auth = CallbackAuth(twilio_auth_token=AUTH_TOKEN, sendgrid_public_key=ec.generate_private_key(
        ec.SECP256R1()).public_key(), callback_token="t0k3n-value")
    lines = auth.describe(public_url=None, production=True)
    extra = [line for line in lines if "--public-url" in line and line.startswith("warning:")]
    assert len(extra) == 1 and "LOAN_COMMS_PUBLIC_URL" in extra[0] and "Host header" in extra[0]
    assert not any(line.startswith("warning") for line in auth.describe(public_url=PUBLIC, production=True))
    assert not any(line.startswith("warning") for line in auth.describe(public_url=None, production=False))


def test_a_key_that_does_not_parse_stops_the_start_with_one_line(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    import loan_comms.inbound.callbacks as callbacks
    from loan_comms.cli import app

    monkeypatch.setattr(callbacks, "serve", lambda *a, **k: pytest.fail("must not start"))
    monkeypatch.setenv("LOAN_COMMS_SENDGRID_WEBHOOK_PUBLIC_KEY", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE-not-base64")
    result = CliRunner().invoke(app, ["receive-callbacks", "--inbox", str(tmp_path)])
    assert result.exit_code == 2, result.output
    out = result.output.strip()
    assert out.startswith("loan-comms: LOAN_COMMS_SENDGRID_WEBHOOK_PUBLIC_KEY: not a SendGrid Event Webhook")
    assert len(out.splitlines()) == 1 and "Traceback" not in out and "not-base64" not in out
