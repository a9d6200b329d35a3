"""Rendering what the planner asks for: per-locale formatting, fallback, versions, batches."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from babel.numbers import format_currency
from hypothesis import assume, given, settings, strategies as st

from loan_comms.templating import Rendered, RenderError, TemplateStore
from loan_comms.masking import mask_digits as mask
from loan_comms.templating.env import make_money

from .conftest import write


def test_both_languages_show_the_amount_formatted_for_their_locale(shipped, ctx):
    en = shipped.render("pre_due_3", "sms", "en", ctx)
    zh = shipped.render("pre_due_3", "sms", "zh-CN", {**ctx, "language": "zh-CN"})
    assert "CN¥1,234.50" in en.text and "Nov 26, 2026" in en.text
    assert "¥1,234.50" in zh.text and "CN¥" not in zh.text and "2026年11月26日" in zh.text
    assert (en.language, zh.language) == ("en", "zh-CN")
    assert en.template_id == "sms/en/pre_due_3" and zh.template_id == "sms/zh-CN/pre_due_3"


@pytest.mark.parametrize("currency, en_text, zh_text", [
    ("USD", "$1,234.50", "US$1,234.50"), ("GBP", "£1,234.50", "£1,234.50"), ("CNY", "CN¥1,234.50", "¥1,234.50"),
])
def test_currencies_per_locale(shipped, ctx, currency, en_text, zh_text):
    c = {**ctx, "currency": currency}
    assert en_text in shipped.render("dpd_1", "sms", "en", c).text
    assert zh_text in shipped.render("dpd_1", "sms", "zh-CN", c).text


def test_every_shipped_template_renders_for_every_kind(shipped, ctx):
    for (kind, channel, language), t in shipped.templates.items():
        r = shipped.render(kind, channel, language, {**ctx, "days_past_due": 12, "promised_date": date(2026, 11, 20)})
        assert isinstance(r, Rendered) and r.text
        assert (r.subject is not None) == (channel == "email") == (r.html is not None)
        assert r.template_version == t.version and len(r.template_version) == 12


def test_email_html_escapes_borrower_data_but_text_does_not(shipped, ctx):
    c = {**ctx, "first_name": "<b>Tom & Jerry</b>"}
    r = shipped.render("pre_due_3", "email", "en", c)
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in r.html and "<b>Tom" not in r.html
    assert "<b>Tom & Jerry</b>" in r.text
    assert "\n" not in r.subject


def test_sms_carries_the_opt_out_text(shipped, ctx):
    assert "Reply STOP to opt out" in shipped.render("dpd_1", "sms", "en", ctx).text
    assert "回复TD退订" in shipped.render("dpd_1", "sms", "zh-CN", ctx).text


def test_product_names_are_words_not_codes(shipped, ctx):
    assert "car loan" in shipped.render("pre_due_3", "sms", "en", {**ctx, "product": "auto_loan"}).text
    assert "汽车贷款" in shipped.render("pre_due_3", "sms", "zh-CN", {**ctx, "product": "auto_loan"}).text
    odd = shipped.render("pre_due_3", "sms", "en", {**ctx, "product": "weird_code_x"}).text
    assert "weird_code_x" not in odd and "your loan payment" in odd


def test_missing_translation_falls_back_to_default_language(lib, cfg, ctx):
    (lib / "sms/zh-CN/dpd_1.txt.j2").unlink()
    store = TemplateStore.load(lib, cfg)
    r = store.render("dpd_1", "sms", "zh-CN", ctx)
    assert r.language == cfg.general.default_language == "en"
    assert r.template_id == "sms/en/dpd_1"
    warnings = [p for p in store.problems_at_start() if p.severity == "warning"]
    assert any("sms/zh-CN/dpd_1" in p.message and "sms/en/dpd_1" in p.message for p in warnings)
    assert not [p for p in store.problems_at_start() if p.is_error]


def test_unknown_language_falls_back_too(shipped, ctx):
    assert shipped.render("dpd_1", "sms", "fr", ctx).language == "en"


def test_unknown_kind_is_a_render_error(shipped, ctx):
    with pytest.raises(RenderError, match="no template for sms/en/nope"):
        shipped.render("nope", "sms", "en", ctx)


def test_render_many_keeps_going_after_a_bad_row(shipped, ctx):
    bad_missing = {k: v for k, v in ctx.items() if k != "amount_due"}
    bad_type = {**ctx, "amount_due": "lots"}
    bad_none = {**ctx, "first_name": None}
    out = shipped.render_many("dpd_1", "sms", "en", [ctx, bad_missing, bad_type, bad_none, ctx])
    assert [type(x).__name__ for x in out] == ["Rendered", "RenderError", "RenderError", "RenderError", "Rendered"]
    assert "amount_due" in out[1].reason and "sms/en/dpd_1" in out[1].reason
    assert "money" in out[2].reason and "lots" not in out[2].reason  # names the filter, never the value
    assert "None" in out[3].reason or "empty" in out[3].reason
    assert shipped.render_many("nope", "sms", "en", [ctx, ctx])[1].reason.startswith("no template")


def test_render_error_names_file_and_line(lib, cfg, ctx):
    write(lib, "sms/en/dpd_1.txt.j2", "Hi {{ first_name }}\n{{ amount_due|money(currency) }}\n"
                                       "{{ due_date|date }} {{ opt_out_text }}")
    store = TemplateStore.load(lib, cfg)
    with pytest.raises(RenderError) as info:
        store.render("dpd_1", "sms", "en", {**ctx, "due_date": 17})
    assert "templates/sms/en/dpd_1.txt.j2:3" in info.value.reason and "date" in info.value.reason


def test_version_is_a_content_hash(lib, cfg, shipped):
    store = TemplateStore.load(lib, cfg)
    assert store.templates[("dpd_1", "sms", "en")].version == shipped.templates[("dpd_1", "sms", "en")].version
    p = lib / "sms/en/dpd_1.txt.j2"
    p.write_text(p.read_text(encoding="utf-8").replace("Hi ", "Hello "), encoding="utf-8")
    changed = TemplateStore.load(lib, cfg)
    assert changed.templates[("dpd_1", "sms", "en")].version != store.templates[("dpd_1", "sms", "en")].version
    # other templates keep their version
    assert changed.templates[("dpd_10", "sms", "en")].version == store.templates[("dpd_10", "sms", "en")].version


def test_caller_may_pass_its_own_opt_out_text(shipped, ctx):
    r = shipped.render("dpd_1", "sms", "en", {**ctx, "opt_out_text": "Text END to stop"})
    assert r.text.endswith("Text END to stop")


@settings(max_examples=300, deadline=None)
@given(amount=st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=3, allow_nan=False),
       currency=st.sampled_from(["CNY", "USD", "GBP", "EUR", "JPY"]), locale=st.sampled_from(["en", "zh_CN"]))
def test_fast_money_filter_matches_babel(amount, currency, locale):
    assume(not (amount.is_zero() and amount.is_signed()))  # we print -0 as 0 on purpose (see below)
    assert make_money(locale)(amount, currency) == format_currency(amount, currency, locale=locale)


def test_negative_zero_is_not_shown_with_a_minus():
    assert make_money("en")(Decimal("-0.00"), "USD") == "$0.00"


def test_money_accepts_ints_and_floats_and_refuses_other_things():
    money = make_money("en")
    assert money(5, "USD") == "$5.00"
    assert money(0.1, "USD") == "$0.10"
    for bad in ("5", None, True):
        with pytest.raises(ValueError):
            money(bad, "USD")
    with pytest.raises(ValueError):
        money(Decimal("1"), "dollars")


def test_mask_hides_digits_and_email_names():
    assert mask("13812345678") == "*******5678"
    assert mask("call +86 138-1234-5678 now") == "call +** ***-****-5678 now"
    assert mask("li.na@example.com") == "l***@example.com"
    assert mask("LN20260001") == "LN****0001"


BASE = {"product": "personal_loan", "pay_link": "https://pay.example.com/l/LN1", "help_line": "400-800-1234",
        "survey_link": "https://survey.example.com/s/LN1", "loan_id_masked": "****0001",
        "plan_link": None, "plan_options": [], "arrears": None, "plan": None}

_any = st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats(allow_nan=True), st.booleans(),
                 st.dates(), st.decimals(allow_nan=True), st.lists(st.integers(), max_size=2))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_garbage_row_yields_a_render_error_never_a_crash(shipped, data):
    key = data.draw(st.sampled_from(sorted(shipped.templates)))
    from loan_comms.templating.env import ALLOWED_VARIABLES

    ctx = {name: data.draw(_any) for name in ALLOWED_VARIABLES if data.draw(st.booleans())}
    out = shipped.render_many(*key, [ctx])
    assert len(out) == 1 and isinstance(out[0], (Rendered, RenderError))


@settings(max_examples=150, deadline=None)
@given(first=st.text(min_size=1, max_size=40).filter(str.strip), amount=st.decimals(min_value=0, max_value=Decimal("1e9"), places=2),
       currency=st.sampled_from(["CNY", "USD", "GBP"]), due=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
       dpd=st.integers(0, 400), language=st.sampled_from(["en", "zh-CN"]), data=st.data())
def test_every_template_renders_for_any_well_typed_row(shipped, first, amount, currency, due, dpd, language, data):
    kind, channel = data.draw(st.sampled_from(sorted({(k, c) for k, c, _ in shipped.templates})))
    row = {**BASE, "first_name": first, "full_name": first, "amount_due": amount, "currency": currency,
           "due_date": None if kind == "payment_confirmation" else due, "days_past_due": dpd, "language": language,
           "promised_date": data.draw(st.one_of(st.none(), st.just(due)))}
    r = shipped.render(kind, channel, language, row)
    assert r.language == language and r.text
