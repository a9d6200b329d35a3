"""Issue 14, S1: the [surveys] config is validated, and the response token is keyed as documented."""

from __future__ import annotations

import logging

import pytest

from loan_comms.config import ConfigError, LifecycleConfig, load_config
from loan_comms.delivery.providers.secrets import MissingSecret
from loan_comms.paths import CONFIG_PATH
from loan_comms.surveys import PROGRAMMES, attempt_id_for, token_for, token_key
from loan_comms.surveys import tokens
from tests.builders import with_providers


def test_shipped_config_has_every_programme_with_its_scale(cfg: LifecycleConfig):
    assert set(cfg.surveys.programmes) == set(PROGRAMMES)
    assert {n: p.scale for n, p in cfg.surveys.programmes.items()} == {
        "post_call_csat": "csat", "payoff_nps": "nps", "relationship_nps": "nps", "hardship_plan": "csat",
        "end_of_delinquency": "csat"}
    assert cfg.surveys.fatigue_days == 90 and cfg.surveys.answer_days == 14
    assert cfg.collection_steps()["survey"] is False


@pytest.mark.parametrize("extra, message", [
    ("\n[surveys.programmes.exit_poll]\nscale = \"nps\"\n", "surveys.programmes: unknown programme 'exit_poll'"),
    ("\n[surveys.programmes.payoff_nps.x]\n", "unknown key"),
])
def test_a_bad_programme_is_reported_by_its_key(tmp_path, extra, message):
    text = CONFIG_PATH.read_text(encoding="utf-8")
    if "payoff_nps.x" in extra:
        text = text.replace('[surveys.programmes.payoff_nps]', '[surveys.programmes.payoff_nps]\nx = 1')
        extra = ""
    path = tmp_path / "lifecycle.toml"
    path.write_text(text + extra, encoding="utf-8")
    (tmp_path / "replies.toml").write_text((CONFIG_PATH.parent / "replies.toml").read_text(encoding="utf-8"),
                                           encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_a_sample_rate_above_one_is_refused(tmp_path):
    text = CONFIG_PATH.read_text(encoding="utf-8").replace("sample_rate = 0.1", "sample_rate = 1.5")
    path = tmp_path / "lifecycle.toml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "replies.toml").write_text((CONFIG_PATH.parent / "replies.toml").read_text(encoding="utf-8"),
                                           encoding="utf-8")
    with pytest.raises(ConfigError, match="surveys.programmes.relationship_nps.sample_rate"):
        load_config(path)


def test_token_is_22_url_safe_characters_and_depends_on_key_and_contact():
    t = token_for(b"k1", attempt_id_for("B1|L1|survey|sms|2026-11-10"))
    assert len(t) == 22 and all(c.isalnum() or c in "-_" for c in t)
    assert t == token_for(b"k1", attempt_id_for("B1|L1|survey|sms|2026-11-10"))
    assert t != token_for(b"k2", attempt_id_for("B1|L1|survey|sms|2026-11-10"))
    assert t != token_for(b"k1", attempt_id_for("B1|L1|survey|sms|2026-11-11"))


def test_token_key_from_env_else_dev_key_with_one_warning_only_without_a_real_provider(cfg, monkeypatch, caplog):
    monkeypatch.setenv(tokens.TOKEN_KEY_ENV, "from-env")
    assert token_key(cfg) == b"from-env"
    monkeypatch.delenv(tokens.TOKEN_KEY_ENV)
    monkeypatch.setattr(tokens, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="loan_comms.surveys"):
        assert token_key(cfg) == tokens._DEV_KEY
        token_key(cfg)
    assert sum("development key" in r.getMessage() for r in caplog.records) == 1
    real = with_providers(cfg, sms={"kind": "twilio", "base_url": "https://api.twilio.com"})
    with pytest.raises(MissingSecret, match=tokens.TOKEN_KEY_ENV):
        token_key(real)


def test_a_named_block_that_cannot_be_loaded_is_an_error_not_the_dev_key(cfg, monkeypatch):
    monkeypatch.delenv(tokens.TOKEN_KEY_ENV, raising=False)
    import loan_comms.delivery.providers.secrets as secrets

    def refuse(env_var, block_name=None, *, what):
        raise MissingSecret(f"{what}: Prefect Secret block {block_name!r} could not be loaded")

    monkeypatch.setattr(secrets, "resolve_secret", refuse)
    named = cfg.model_copy(update={"surveys": cfg.surveys.model_copy(update={"token_key_block": "survey-key"})})
    with pytest.raises(MissingSecret, match="survey-key"):
        token_key(named)


def test_the_config_docstring_names_the_programmes_real_query_files():
    """surveys/config.py says where each programme's query lives: that file exists for every programme."""
    import re

    from loan_comms.paths import SQL_DIR
    from loan_comms.surveys import config as survey_config

    [pattern] = re.findall(r"sql/surveys/(\w+)_<name>\.sql", survey_config.__doc__ or "")
    for name in survey_config.PROGRAMMES:
        assert (SQL_DIR / "surveys" / f"{pattern}_{name}.sql").exists(), (pattern, name)
