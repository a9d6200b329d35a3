"""The reply understanding module: the issue's examples, negation, normalisation, dates, and
properties that hold for any text (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loan_comms.config import ConfigError
from loan_comms.understanding import Understanding, load_rules, normalize, understand

AT = datetime(2026, 11, 18, 3, 0, tzinfo=timezone.utc)        # Wednesday, 11:00 in Shanghai
ALL = ("sms", "email", "call", "visit")


def u(text: str, channel: str = "sms", **kw) -> Understanding:
    return understand(text, channel=channel, received_at=AT, timezone="Asia/Shanghai", **kw)


def clear(text: str, channel: str = "sms") -> dict[str, tuple[str, ...]]:
    return {i.name: i.channels for i in u(text, channel).intents}


@pytest.mark.parametrize("text, channel, expected", [
    ("Stop texting me", "sms", {"opt_out": ("sms",)}),
    ("unsubscribe please", "sms", {"opt_out": ("sms",)}),
    ("请不要再给我发短信了", "sms", {"opt_out": ("sms",)}),
    ("Not my loan, stop texting me", "sms", {"dispute": (), "opt_out": ("sms",)}),
    ("我失业了，暂时还不上，能不能分期还？", "sms", {"hardship": ()}),
    ("Opt-out", "sms", {"opt_out": ("sms",)}),
    ("STOP ALL", "sms", {"opt_out": ALL}),
    ("STOPALL", "sms", {"opt_out": ALL}),
    ("回复TD退订", "sms", {"opt_out": ("sms",)}),
    ("wrong number", "sms", {"wrong_number": ()}),
    ("不要再打了", "sms", {"opt_out": ("call",)}),
    ("别发了", "sms", {"opt_out": ("sms",)}),
    ("别发了", "email", {"opt_out": ("email",)}),
    ("下周五还500", "sms", {"promise_to_pay": ()}),
    ("I'll pay 300 on the 5th", "sms", {"promise_to_pay": ()}),
    ("don't stop my autopay", "sms", {}),
    ("别再联系我", "sms", {"opt_out": ALL}),
    ("投诉", "sms", {"complaint": ()}),
    ("I will report you", "sms", {"complaint": ()}),
    ("already paid", "sms", {"dispute": ()}),
    ("call me after 6pm", "sms", {"callback_request": ()}),
    ("UNSUBSCRIBE", "email", {"opt_out": ("email",)}),
    ("START", "sms", {"opt_in": ("sms",)}),
    ("UNSTOP", "sms", {"opt_in": ("sms",)}),
    ("how much do I owe?", "sms", {"question": ()}),
    ("stop calling me", "sms", {"opt_out": ("call",)}),
    ("I lost my job, can we agree a lower monthly payment?", "email", {"hardship": ()}),
    ("我已经还款了", "sms", {"dispute": ()}),
    ("please don't text me, email me instead", "sms", {"opt_out": ("sms",)}),
])
def test_the_issue_examples(text, channel, expected):
    assert clear(text, channel) == expected


def test_facts_of_the_examples():
    p = u("下周五还500").intents[0]
    assert (p.promised_date, p.amount) == (date(2026, 11, 27), Decimal("500.00"))
    p = u("I'll pay 300 on the 5th").intents[0]
    assert (p.promised_date, p.amount) == (date(2026, 12, 5), Decimal("300.00"))
    assert u("already paid").intents[0].detail == {"reason": "paid"}
    assert u("Not my loan, stop texting me").intents[1].detail == {"reason": "not_mine"}
    cb = u("call me after 6pm").intents[0]
    assert cb.callback_window == (time(18), time(23, 59))
    cb = u("明天下午3点给我回电话").intents[0]
    assert (cb.callback_on, cb.callback_window) == (date(2026, 11, 19), (time(15), time(16)))
    assert u("STOP ALL").intents[0].scope == "all"
    assert u("Stop texting me").intents[0].scope == "this"


def test_decided_by_is_the_rules_hash():
    r = u("STOP")
    assert r.decided_by == f"rules:{load_rules().version}" and len(r.rules_version) == 12


@pytest.mark.parametrize("text", ["don't stop my autopay", "不要取消", "please do not cancel", "我不打算还",
                                  "I will pay at the end of the month, sorry", "thanks", "", "   ", "🙏🙏"])
def test_no_opt_out(text):
    r = u(text)
    assert "opt_out" not in [i.name for i in (*r.intents, *r.review)]


def test_an_exempted_keyword_in_a_short_reply_is_no_clear_opt_out_but_a_person_looks():
    # "stop by" + a place is a visit; alone in a short reply the exemption may be wrong: review
    r = u("Please stop by the branch")
    assert "opt_out" not in [i.name for i in r.intents]
    assert [(i.name, i.rule) for i in r.review] == [("opt_out", "tcpa.exempt_short")]


@pytest.mark.parametrize("text", ["maybe stop", "I want to cancel my autopay",
                                  "I got your message yesterday and honestly I think you should stop"])
def test_uncertain_opt_outs_go_to_review(text):
    r = u(text)
    assert [i.name for i in r.review] == ["opt_out"] and not r.intents


def test_promise_without_a_date_is_reviewed_with_a_note():
    r = u("I will pay")
    assert not r.intents and [i.name for i in r.review] == ["promise_to_pay"]
    assert r.note == "promise without a usable date"


@pytest.mark.parametrize("text", ["請不要再給我發短信", "ＳＴＯＰ", "STOP 谢谢", "stop 🙏", "Stop!!!", "STOP."])
def test_normalisation_variants(text):
    assert "opt_out" in clear(text)


def test_normalize():
    assert normalize("ＳＴＯＰ！！！") == "stop!"
    assert normalize("請不要再給我發短信") == "请不要再给我发短信"
    assert normalize("pay 1,200.50 now") == "pay 1,200.50 now"
    assert u("回复TD退订").language == "mixed" and u("stop").language == "en" and u("退订").language == "zh"
    assert u("🙏").language == "unknown"


def test_provider_reading_is_taken_as_given():
    r = u("whatever they wrote", given="STOP")
    assert [(i.name, i.rule, i.channels) for i in r.intents] == [("opt_out", "provider", ("sms",))]
    r = u("START", given="START")
    assert [(i.name, i.rule) for i in r.intents] == [("opt_in", "provider")]
    assert [i.name for i in u("help", given="HELP").intents] == ["question"]


def test_amounts_and_dates():
    from loan_comms.understanding import dates

    today = date(2026, 11, 18)
    for text, d in [("2026-12-05", date(2026, 12, 5)), ("12/5", date(2026, 12, 5)), ("12月5日", date(2026, 12, 5)),
                    ("5号", date(2026, 12, 5)), ("the 5th", date(2026, 12, 5)), ("on friday", date(2026, 11, 20)),
                    ("next friday", date(2026, 11, 27)), ("下周五", date(2026, 11, 27)), ("周五", date(2026, 11, 20)),
                    ("明天", date(2026, 11, 19)), ("后天", date(2026, 11, 20)), ("月底", date(2026, 11, 30)),
                    ("end of the month", date(2026, 11, 30)), ("tomorrow", date(2026, 11, 19)),
                    ("in 3 days", date(2026, 11, 21)), ("3天后", date(2026, 11, 21))]:
        assert dates.find_date(normalize(text), today)[0] == d, text
    for text, a in [("500", "500"), ("500元", "500"), ("¥500", "500"), ("$300", "300"), ("300.50", "300.50"),
                    ("1,200", "1200"), ("五百", "500"), ("一千二", "1200"), ("两千", "2000")]:
        assert dates.find_amount(normalize(text), []) == Decimal(a).quantize(Decimal("0.01")), text
    assert dates.find_window("after 6pm")[0] == (time(18), time(23, 59))
    assert dates.find_window("晚上7点以后")[0] == (time(19), time(23, 59))
    assert dates.find_window("morning")[0] == (time(8), time(12))
    assert dates.find_window("上午")[0] == (time(8), time(12))


def test_broken_rules_file_is_one_clear_line(tmp_path):
    from loan_comms.understanding.rules import RULES_PATH

    text = RULES_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "replies.toml"
    bad.write_text(text.replace("@stop_verb ~2", "@stop_verbs ~2", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"replies.toml: rules\[1\].*unknown lexicon '@stop_verbs'"):
        load_rules(bad)
    bad.write_text(text.replace("deadline_business_days = 2", "deadline_business_days = 11"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"review.deadline_business_days"):
        load_rules(bad)


def test_lifecycle_config_loads_its_rules(tmp_path):
    from loan_comms.config import load_config
    from loan_comms.paths import CONFIG_PATH
    from loan_comms.understanding import rules_for

    cfg = load_config()
    assert rules_for(cfg).version == load_rules().version
    p = tmp_path / "lifecycle.toml"
    p.write_text(CONFIG_PATH.read_text(encoding="utf-8").replace('rules = "replies.toml"', 'rules = "missing.toml"'),
                 encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read the reply rules"):
        load_config(p)


# ---------------------------------------------------------------------------------------------
# Properties

OPT_OUTS = ["stop texting me", "unsubscribe", "stop", "请不要再给我发短信了", "别再联系我", "退订", "stop calling me",
            "opt out please", "不要再打了"]
KEYWORDS = ["stop", "quit", "end", "revoke", "opt out", "cancel", "unsubscribe", "stopall", "stop all"]
FILLER = ["please", "now", "ok", "you", "guys", "hey", "hello", "sir", "thanks", "this", "number", "me"]
TRAD = {"请不要再给我发短信了": "請不要再給我發短信了", "别再联系我": "別再聯繫我", "不要再打了": "不要再打了"}


def _names(r: Understanding) -> dict[str, tuple[str, ...]]:
    return {i.name: i.channels for i in r.intents}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(OPT_OUTS), st.sampled_from(["upper", "title", "fullwidth", "punct", "emoji", "trad"]))
def test_variants_give_the_same_intents(text, variant):
    if variant == "upper":
        v = text.upper()
    elif variant == "title":
        v = text.title()
    elif variant == "fullwidth":
        v = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    elif variant == "punct":
        v = f"...{text}!!!"
    elif variant == "emoji":
        v = f"😡 {text} 🙏"
    else:
        v = TRAD.get(text, text)
    assert _names(u(v)) == _names(u(text))


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(KEYWORDS), st.lists(st.sampled_from(FILLER), max_size=3), st.integers(0, 3))
def test_short_reply_with_a_tcpa_keyword_is_a_clear_opt_out(keyword, filler, at):
    words = list(filler)
    words.insert(min(at, len(words)), keyword)
    r = u(" ".join(words))
    assert "opt_out" in _names(r), " ".join(words)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(OPT_OUTS), st.sampled_from([" thanks", ", thanks!", " 谢谢", "，谢谢", " thank you 🙏"]))
def test_a_polite_tail_never_removes_an_opt_out(text, tail):
    assert "opt_out" in _names(u(text + tail))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["sms", "email", "call", "visit"]),
       st.sampled_from([None, "STOP", "START", "HELP", "bogus"]))
def test_never_raises(text, channel, provider):
    r = understand(text, channel=channel, received_at=AT, timezone="Nowhere/Bogus", given=provider)
    assert all(i.name != "other" for i in (*r.intents, *r.review))
    assert all(0 <= i.confidence <= 1 for i in (*r.intents, *r.review))
