"""Lint: the shipped library is clean; each kind of broken template fails with file, line and fix."""

from __future__ import annotations

import re

from loan_comms.templating import TemplateStore
from loan_comms.templating.lint import lint

from .conftest import write

LINE = re.compile(r"^(ERROR|WARNING) templates/\S+?(:\d+)?: .+ — fix: .+$")


def _errors(lib, cfg, path_suffix=None):
    problems = lint(TemplateStore.load(lib, cfg), cfg)
    for p in problems:
        assert LINE.match(str(p)), str(p)
    errs = [p for p in problems if p.is_error]
    if path_suffix:
        errs = [p for p in errs if p.path.endswith(path_suffix)]
    return errs


def test_shipped_library_lints_clean_with_the_real_config(shipped, cfg):
    problems = lint(shipped, cfg)
    assert [str(p) for p in problems if p.is_error] == []
    assert [str(p) for p in problems] == []  # no warnings either


def test_every_required_template_exists_in_both_languages(shipped):
    expected = {
        ("pre_due_3", "sms"), ("pre_due_3", "email"), ("pre_due_1", "sms"), ("due_today", "sms"),
        ("dpd_1", "sms"), ("dpd_3", "email"), ("dpd_10", "sms"), ("dpd_20", "letter"),
        ("dpd_60_handoff", "letter"), ("hardship_offer", "sms"), ("hardship_offer", "email"),
        ("forbearance_offer", "sms"), ("forbearance_offer", "email"),
        ("broken_promise", "sms"), ("payment_confirmation", "sms"), ("survey", "sms"), ("survey", "email"),
        ("visit_notice", "letter"), ("opt_out_confirmation", "sms"), ("opt_out_confirmation", "email"),
        # a repayment plan's own contacts (issue 15, [arrangements] channels)
        ("arrangement_confirmed", "sms"), ("arrangement_confirmed", "email"), ("arrangement_declined", "sms"),
        ("arrangement_declined", "email"), ("arrangement_reminder", "sms"), ("arrangement_missed", "sms"),
        ("arrangement_reoffer", "sms"), ("arrangement_reoffer", "email"), ("arrangement_kept", "sms"),
    }
    have = {(k, c) for (k, c, lang) in shipped.templates}
    assert have == expected
    for k, c in expected:
        assert (k, c, "en") in shipped.templates and (k, c, "zh-CN") in shipped.templates


def test_unknown_variable_fails_with_line(lib, cfg):
    write(lib, "sms/en/dpd_1.txt.j2", "Hi {{ first_name }},\nyou owe {{ balance }}. {{ opt_out_text }}")
    errs = _errors(lib, cfg, "sms/en/dpd_1.txt.j2")
    assert any("unknown variable 'balance'" in p.message and p.line == 2 for p in errs)
    assert "templates/sms/en/dpd_1.txt.j2:2: unknown variable 'balance'" in "\n".join(map(str, errs))


def test_unknown_filter_fails(lib, cfg):
    write(lib, "sms/en/dpd_1.txt.j2", "Hi {{ first_name|shout }} {{ opt_out_text }}")
    errs = _errors(lib, cfg, "sms/en/dpd_1.txt.j2")
    assert any("unknown filter 'shout'" in p.message and p.line == 1 for p in errs)


def test_unknown_filter_inside_if_fails_too(lib, cfg):
    write(lib, "sms/en/dpd_1.txt.j2", "Hi{% if promised_date %} {{ promised_date|weekday }}{% endif %} {{ opt_out_text }}")
    assert any("unknown filter 'weekday'" in p.message for p in _errors(lib, cfg, "sms/en/dpd_1.txt.j2"))


def test_syntax_error_names_file_and_line(lib, cfg):
    write(lib, "email/en/dpd_3.html.j2", "<p>Hi</p>\n<p>{{ first_name </p>\n")
    errs = _errors(lib, cfg, "email/en/dpd_3.html.j2")
    assert any(p.line == 2 and "syntax error" in p.message for p in errs)


def test_banned_phrase_in_source_is_an_error(lib, cfg):
    write(lib, "letter/en/dpd_20.txt.j2", "Dear {{ full_name }},\nWe will contact YOUR EMPLOYER about this.\n")
    errs = _errors(lib, cfg, "letter/en/dpd_20.txt.j2")
    assert any("banned phrase 'your employer'" in p.message and p.line == 2 for p in errs)


def test_banned_chinese_phrase_in_source_is_an_error(lib, cfg):
    write(lib, "sms/zh-CN/dpd_10.txt.j2", "{{ full_name }}您好，再不还款将通知你的家人。{{ opt_out_text }}")
    assert any("通知你的家人" in p.message for p in _errors(lib, cfg, "sms/zh-CN/dpd_10.txt.j2"))


def test_banned_phrase_assembled_at_render_time_is_caught(lib, cfg):
    write(lib, "sms/en/dpd_10.txt.j2", "Hi {{ first_name }}, we may call the {{ 'pol' ~ 'ice' }}. {{ opt_out_text }}")
    errs = _errors(lib, cfg, "sms/en/dpd_10.txt.j2")
    assert any("banned phrase 'police' appears in the message" in p.message for p in errs)


def test_sms_over_the_segment_limit_fails(lib, cfg):
    long = "Please pay. " * 60
    write(lib, "sms/en/dpd_1.txt.j2", f"Hi {{{{ first_name }}}}. {long}{{{{ opt_out_text }}}}")
    errs = _errors(lib, cfg, "sms/en/dpd_1.txt.j2")
    assert any("segments" in p.message and "maximum is 3" in p.message for p in errs)


def test_chinese_sms_limit_uses_ucs2_segments(lib, cfg):
    body = "请按时还款。" * 30  # 180 chars -> UCS-2, > 3 x 67
    write(lib, "sms/zh-CN/dpd_1.txt.j2", f"{{{{ full_name }}}}您好，{body}{{{{ opt_out_text }}}}")
    errs = _errors(lib, cfg, "sms/zh-CN/dpd_1.txt.j2")
    assert any("UCS-2" in p.message and "segments" in p.message for p in errs)


def test_sms_without_opt_out_fails(lib, cfg):
    write(lib, "sms/en/dpd_1.txt.j2", "Hi {{ first_name }}, please pay {{ amount_due|money(currency) }}.")
    errs = _errors(lib, cfg, "sms/en/dpd_1.txt.j2")
    assert any("opt-out" in p.message for p in errs)


def test_email_needs_subject_txt_and_html(lib, cfg):
    (lib / "email/en/dpd_3.html.j2").unlink()
    (lib / "email/zh-CN/survey.subject.j2").unlink()
    errs = _errors(lib, cfg)
    assert any(p.path.endswith("email/en/dpd_3.html.j2") and "no html part" in p.message for p in errs)
    assert any(p.path.endswith("email/zh-CN/survey.subject.j2") and "no subject part" in p.message for p in errs)


def test_missing_translation_is_a_warning_naming_the_fallback(lib, cfg):
    (lib / "sms/zh-CN/survey.txt.j2").unlink()
    problems = lint(TemplateStore.load(lib, cfg), cfg)
    [p] = [p for p in problems if "survey" in p.path]
    assert p.severity == "warning" and "sms/en/survey" in p.message
    assert not [p for p in problems if p.is_error]


def test_missing_in_default_language_is_an_error(lib, cfg):
    (lib / "sms/en/due_today.txt.j2").unlink()
    errs = _errors(lib, cfg)
    assert any(p.path.endswith("sms/en/due_today.txt.j2") and "default language" in p.message for p in errs)


def test_template_failing_for_a_sample_borrower_fails(lib, cfg):
    # payment confirmations have no due date: printing it breaks for every sample
    write(lib, "sms/en/payment_confirmation.txt.j2", "Thanks {{ first_name }}, due {{ due_date|date }}. {{ opt_out_text }}")
    errs = _errors(lib, cfg, "sms/en/payment_confirmation.txt.j2")
    assert any("does not render for sample" in p.message for p in errs)


def test_bad_file_names_and_folders(lib, cfg):
    write(lib, "sms/fr/dpd_1.txt.j2", "Bonjour {{ opt_out_text }}")
    write(lib, "fax/en/dpd_1.txt.j2", "Hi")
    write(lib, "sms/en/dpd_1.html.j2", "<p>Hi</p>")
    write(lib, "sms/en/ReminderOne.j2", "Hi")
    msgs = [p.message for p in _errors(lib, cfg)]
    assert "unknown language folder 'fr'" in msgs
    assert "unknown channel folder 'fax'" in msgs
    assert "'html' is not a part of a sms template" in msgs
    assert any("does not follow" in m for m in msgs)


def test_unused_template_is_a_warning(lib, cfg):
    write(lib, "sms/en/dpd_30.txt.j2", "Hi {{ first_name }} {{ opt_out_text }}")
    problems = lint(TemplateStore.load(lib, cfg), cfg)
    assert any(p.severity == "warning" and "is not used" in p.message for p in problems)


def test_new_config_step_requires_its_templates(lib, cfg):
    from loan_comms.config import ReminderStep

    more = cfg.model_copy(update={"reminders": (*cfg.reminders, ReminderStep(step="pre_due_7", days_before_due=7,
                                                                             channels=("sms", "call")))})
    errs = _errors(lib, more)
    assert any(p.path.endswith("sms/en/pre_due_7.txt.j2") for p in errs)


def test_english_sms_with_curly_quotes_warns_about_ucs2(lib, cfg):
    write(lib, "sms/en/survey.txt.j2", "Hi {{ first_name }}, how did we do? It’s quick: {{ survey_link }} {{ opt_out_text }}")
    problems = lint(TemplateStore.load(lib, cfg), cfg)
    assert any(p.severity == "warning" and "UCS-2" in p.message for p in problems)


def test_lint_accepts_a_directory(lib, cfg):
    assert [p for p in lint(lib, cfg) if p.is_error] == []
