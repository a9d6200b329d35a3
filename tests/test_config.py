"""The lifecycle config: mistakes are named by key, and missing templates stop a run at start-up."""

from __future__ import annotations

import pytest

from loan_comms.config import ConfigError, load_config
from loan_comms.paths import CONFIG_PATH


def write(tmp_path, text: str):
    p = tmp_path / "lifecycle.toml"
    p.write_text(text, encoding="utf-8")
    return p


def shipped() -> str:
    return CONFIG_PATH.read_text(encoding="utf-8")


def test_shipped_config_is_valid_and_default_profile_is_the_strictest():
    cfg = load_config()
    d = cfg.policy.profiles["default"]
    assert d.contact_window == ("08:00", "21:00")      # cn allows until 22:00, us/uk 21:00
    assert d.sms_per_day == 2 and d.calls_per_7_days == 7 and d.contacts_per_day == 3
    assert "CN" in d.holiday_calendars
    assert [s.step for s in cfg.ladder][:3] == ["dpd_1", "dpd_3", "dpd_5"]


@pytest.mark.parametrize("change, message", [
    (("min_dpd = 5", "min_dpd = 2"), "ladder[2].min_dpd: must be greater than ladder[1].min_dpd (3)"),
    (("sms_per_day = 2", "sms_per_day = -1"), "policy.profiles.cn.sms_per_day: Input should be greater than or equal to 0"),
    (('contact_window = ["08:00", "22:00"]', 'contact_window = ["08:00", "25:61"]'), "policy.profiles.cn.contact_window"),
    (('channels = ["email"]', 'channels = ["fax"]'), "ladder[1].channels[0]"),
    (("hardship_pause_days = 14", "hardship_pause_dayz = 14"), "follow_ups.hardship_pause_dayz: unknown key"),
    (('holiday_calendars = ["CN"]', 'holiday_calendars = ["XX"]'),
     "lifecycle.toml: policy.profiles.cn.holiday_calendars[0]: unknown holiday calendar 'XX'"),
    (('holiday_calendars = ["CN"]', 'holiday_calendars = ["CN", "cn"]'),
     "policy.profiles.cn.holiday_calendars[1]: unknown holiday calendar 'cn'"),
    (("legally_required_steps = []", 'legally_required_steps = ["dpd_99"]'),
     "lifecycle.toml: policy.legally_required_steps[0]: unknown step 'dpd_99'; it must be one of"),
    (("min_days_between_steps = 2", "min_days_between_steps = 0"),
     "ladder_pacing.min_days_between_steps: Input should be greater than or equal to 1"),
    (("notice_days = 7", "notice_days = 0"), "visits.notice_days: Input should be greater than or equal to 1"),
    (('working_days = ["mon"', 'working_days = ["monday"'), "visits.working_days[0]: Input should be 'mon'"),
    (('working_days = ["mon", "tue"', 'working_days = ["mon", "mon"'), "visits.working_days: working days repeated: mon"),
    (('visit_notice_channels = ["letter"]', 'visit_notice_channels = ["visit"]'),
     "follow_ups.visit_notice_channels[0]: Input should be 'letter', 'sms' or 'email'"),
])
def test_a_mistake_names_the_key_and_the_problem(tmp_path, change, message):
    old, new = change
    text = shipped()
    assert old in text
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text.replace(old, new, 1)))
    assert message in str(exc.value)
    assert "lifecycle.toml" in str(exc.value)


def test_known_calendars_and_steps_pass(tmp_path):
    text = shipped().replace('holiday_calendars = ["CN"]', 'holiday_calendars = ["CN", "HK", "SG"]', 1)
    text = text.replace("legally_required_steps = []", 'legally_required_steps = ["dpd_60_handoff", "pre_due_1", '
                        '"payment_confirmation"]', 1)
    cfg = load_config(write(tmp_path, text))
    assert cfg.policy.profiles["cn"].holiday_calendars == ("CN", "HK", "SG")
    assert "payment_confirmation" in cfg.policy.legally_required_steps


def test_a_whole_config_rule_names_its_key_without_a_top_level_marker(tmp_path):
    text = shipped().replace("min_dpd = 5", "min_dpd = 2", 1)
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text))
    assert str(exc.value).startswith(f"{tmp_path / 'lifecycle.toml'}: ladder[2].min_dpd: must be greater")


def test_not_toml_at_all(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[general\nx = 1"))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "nope.toml")


def test_environment_overrides_provider(monkeypatch):
    monkeypatch.setenv("LOAN_COMMS_SMS_PROVIDER", "twilio")
    monkeypatch.setenv("LOAN_COMMS_SMS_BASE_URL", "http://127.0.0.1:9")
    p = load_config().provider("sms")
    assert (p.kind, p.base_url) == ("twilio", "http://127.0.0.1:9")
    monkeypatch.setenv("LOAN_COMMS_SMS_PROVIDER", "carrier-pigeon")
    with pytest.raises(ConfigError, match="LOAN_COMMS_SMS_PROVIDER"):
        load_config().provider("sms")


def test_a_step_without_templates_stops_the_run_before_anything_is_planned(tmp_path):
    from tasks.common import template_store

    text = shipped().replace('[[ladder]]\nstep = "dpd_20"', '[[ladder]]\nstep = "dpd_15"\nmin_dpd = 15\n'
                             'channels = ["sms"]\nseverity = 4\n\n[[ladder]]\nstep = "dpd_20"', 1)
    cfg = load_config(write(tmp_path, text))
    with pytest.raises(RuntimeError) as exc:
        template_store(cfg)
    assert "dpd_15" in str(exc.value) and "templates lint" in str(exc.value)
