"""Secrets from Prefect blocks when the environment has none; provider settings explain mistakes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from loan_comms.paths import REPO_ROOT
from loan_comms.delivery.providers import build_provider
from loan_comms.delivery.providers.http import ProviderConfigError
from loan_comms.delivery.providers.secrets import redact, resolve_secret
from tests.builders import with_providers


def test_importing_delivery_does_not_import_prefect():
    code = ("import sys, loan_comms.delivery.dispatch, loan_comms.inbound.receipts, loan_comms.delivery.providers.twilio, "
            "loan_comms.delivery.providers.sendgrid, loan_comms.delivery.providers.webhook, loan_comms.cli.delivery; "
            "print('prefect' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


def test_prefect_secret_block_used_only_when_env_var_is_absent(monkeypatch):
    from prefect.blocks import system

    class FakeBlock:
        def get(self):
            return "block-value-9f8e7d"

    loaded: list[str] = []
    monkeypatch.setattr(system.Secret, "load", classmethod(lambda cls, name: loaded.append(name) or FakeBlock()))
    monkeypatch.delenv("SENDGRID_API_KEY", raising=False)
    secret = resolve_secret("SENDGRID_API_KEY", "sendgrid-api-key", what="providers.email")
    assert secret.get() == "block-value-9f8e7d" and loaded == ["sendgrid-api-key"]
    assert "block-value" not in repr(secret) and "block-value" not in str(secret)
    assert redact("Authorization: Bearer block-value-9f8e7d") == "Authorization: Bearer ***"
    monkeypatch.setenv("SENDGRID_API_KEY", "env-value-1234")
    assert resolve_secret("SENDGRID_API_KEY", "sendgrid-api-key", what="x").get() == "env-value-1234"
    assert loaded == ["sendgrid-api-key"]


@pytest.mark.parametrize("settings, message", [
    (dict(kind="twilio"), "providers.sms.base_url"),
    (dict(kind="twilio", base_url="ftp://x"), "http:// or https://"),
    (dict(kind="twilio", base_url="http://127.0.0.1:1"), "providers.sms.from_number: Twilio needs a sender"),
    (dict(kind="twilio", base_url="http://127.0.0.1:1", from_number="+1", rate_per_second="fast"),
     "providers.sms.rate_per_second"),
    (dict(kind="twilio", base_url="http://127.0.0.1:1", from_number="+1", max_tries=0), "providers.sms.max_tries"),
])
def test_provider_settings_mistakes_name_the_key(cfg, secrets_env, monkeypatch, settings, message):
    monkeypatch.delenv("TWILIO_FROM_NUMBER", raising=False)
    with pytest.raises(ProviderConfigError, match=message.replace("(", r"\(")):
        build_provider("sms", with_providers(cfg, sms=settings))
