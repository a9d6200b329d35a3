"""Round-2 capabilities, each with wordings of its own (none is a corpus line): pinyin and
homophones, dialect, meaningful emoji, colloquial English opt-outs, channel restriction, removal
from a list, contact volume, agents' shorthand, disputes, wrong numbers, hardship."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from loan_comms.understanding import Understanding, load_rules, normalize, understand
from loan_comms.understanding.pinyin import split_word

AT = datetime(2026, 11, 18, 3, 0, tzinfo=timezone.utc)
ALL = ("sms", "email", "call", "visit")


def u(text: str, channel: str = "sms") -> Understanding:
    return understand(text, channel=channel, received_at=AT, timezone="Asia/Shanghai")


def clear(text: str, channel: str = "sms") -> dict[str, tuple[str, ...]]:
    return {i.name: i.channels for i in u(text, channel).intents}


def review(text: str, channel: str = "sms") -> dict[str, tuple[str, ...]]:
    return {i.name: i.channels for i in u(text, channel).review}


def anywhere(text: str, channel: str = "sms") -> set[str]:
    r = u(text, channel)
    return {i.name for i in r.intents + r.review}


# a. pinyin and homophones: a fallback, weak (review), named pinyin:<rule>
@pytest.mark.parametrize("text, channel, expected", [
    ("bu yao zai gei wo fa le", "sms", ("sms",)),
    ("buyao da le", "sms", ("call",)),
    ("bie zai da dian hua", "sms", ("call",)),
    ("tuiding", "sms", ("sms",)),
    ("qing bu yao zai lian xi wo", "sms", ALL),
    ("别再发短性给我了", "sms", ("sms",)),           # 短性 for 短信
    ("不想再接你们的电化", "sms", ("call",)),         # 电化 for 电话
])
def test_pinyin_fallback_goes_to_review(text, channel, expected):
    r = u(text, channel)
    assert "opt_out" not in {i.name for i in r.intents}
    out = [i for i in r.review if i.name == "opt_out"]
    assert out and out[0].rule.startswith("pinyin:") and out[0].channels == expected


@pytest.mark.parametrize("text", ["I can pay on Friday", "what is my balance", "due date 是哪天",
                                  "he ran a long way", "我的 balance 是多少", "ni hao", "停车场信号不好"])
def test_pinyin_leaves_english_and_ordinary_chinese_alone(text):
    rules = load_rules()
    assert rules.respeller is not None
    n = normalize(text)
    assert rules.respeller.respell(n) == n or not any(i.rule.startswith("pinyin:") for i in u(text).review)


def test_pinyin_words_split_into_syllables():
    assert split_word("tuiding") == ("tui", "ding")
    assert split_word("xian") == ("xian",)
    assert split_word("strength") is None


def test_a_text_matched_as_written_is_not_doubled_by_the_fallback():
    r = u("不要再发短信了")
    assert [i.name for i in r.intents] == ["opt_out"] and not r.review


# b. dialect
@pytest.mark.parametrize("text, expected", [
    ("唔好再send短信畀我", {"opt_out": ("sms",)}),
    ("咪再打嚟啦", {"opt_out": ("call",)}),
    ("唔使再聯絡我", {"opt_out": ALL}),
    ("甭打了", {"opt_out": ("call",)}),
])
def test_dialect_opt_outs(text, expected):
    assert clear(text) == expected


def test_dialect_dates_and_money():
    r = u("後日還你五百蚊")
    promise = [i for i in r.intents + r.review if i.name == "promise_to_pay"][0]
    assert promise.promised_date is not None and promise.promised_date.isoformat() == "2026-11-20"
    assert promise.amount == 500


def test_dialect_keeps_mandarin_particle_and_system():
    assert normalize(load_rules().substitute("你在哪里呢")) == "你在哪里呢"
    assert "系统" in normalize(load_rules().substitute("从你们的系统里删掉"))
    assert normalize(load_rules().substitute("呢個號碼")) == "这个号码"


# c. emoji
@pytest.mark.parametrize("text", ["🛑", "🚫🚫", "⛔️", "✋🏽", "🙅‍♀️"])
def test_stop_emoji_alone_is_an_opt_out(text):
    assert clear(text) == {"opt_out": ("sms",)}


@pytest.mark.parametrize("text", ["👍", "😊 thanks", "🙏"])
def test_other_emoji_are_dropped(text):
    assert clear(text) == {}


# d. colloquial English opt-outs
@pytest.mark.parametrize("text, channel, expected", [
    ("just knock it off will you", "sms", ("sms",)),
    ("Cut it out, seriously", "email", ("email",)),
    ("give it a rest lads", "sms", ("sms",)),
    ("get off my back about this", "sms", ("sms",)),
    ("please quit pestering me", "sms", ALL),
    ("stop badgering me every week about money", "sms", ALL),
    ("stop spamming my inbox", "email", ("email",)),
    ("don't hassle me with any more calls", "sms", ("call",)),
])
def test_colloquial_opt_outs(text, channel, expected):
    assert clear(text, channel)["opt_out"] == expected


@pytest.mark.parametrize("text", ["sod off", "jog on mate", "enough already!"])
def test_rude_dismissals_go_to_review(text):
    assert "opt_out" in review(text) and "opt_out" not in clear(text)


# e. channel restriction
@pytest.mark.parametrize("text, closed, allowed", [
    ("contact me by post only from now on", ALL, "letter"),
    ("Email only, thank you", ("sms", "call", "visit"), "email"),
    ("only reach me via email please", ("sms", "call", "visit"), "email"),
    ("以后只能通过邮件联系我", ("sms", "call", "visit"), "email"),
    ("本人只接受书面通知", ALL, "letter"),
])
def test_channel_restriction_closes_every_other_channel(text, closed, allowed):
    out = [i for i in u(text).intents if i.name == "opt_out"][0]
    assert out.channels == closed and out.detail["only"] == allowed


def test_agent_note_wants_email_only():
    out = [i for i in u("B wants email only going forward", "call").intents if i.name == "opt_out"][0]
    assert out.channels == ("sms", "call", "visit")


# f. removal from a list
@pytest.mark.parametrize("text, channel, expected", [
    ("take this address out of your system, remove it from your mailing list", "email", ("email",)),
    ("please remove this number from your records", "sms", ("sms",)),
    ("delete this email from your database", "email", ("email",)),
    ("把这个号码从你们的系统里删掉", "sms", ("sms",)),
])
def test_remove_from_list(text, channel, expected):
    assert clear(text, channel)["opt_out"] == expected


# g. contact volume naming a channel: complaint + opt-out of that channel in review
@pytest.mark.parametrize("text, chan", [
    ("way too many calls from you people", ("call",)),
    ("I get texts from you every day, it's ridiculous", ("sms",)),
    ("一天给我打了几十个电话", ("call",)),
])
def test_volume_complaint(text, chan):
    r = u(text)
    assert "complaint" in {i.name for i in r.intents + r.review}
    assert review(text).get("opt_out") == chan


# h. agent shorthand
@pytest.mark.parametrize("text, expected", [
    ("spoke w/ cust, req dnc", {"opt_out": ("call",)}),
    ("3rd pty answered, says wrong no.", {"wrong_number": ()}),
    ("tp picked up, never heard of B", {"wrong_number": ()}),
    ("cust disputes bal, claims paid last wk", {"dispute": ()}),
])
def test_agent_shorthand(text, expected):
    assert {k: v for k, v in clear(text, "call").items() if k in expected} == expected


# i. disputes
@pytest.mark.parametrize("text", ["I'm just the co-signer on this", "我只是个担保人而已", "我从来没在你们平台借过钱",
                                  "I have never borrowed anything from you", "扣款已经扣了，为什么还显示逾期",
                                  "the payment was debited on the 2nd so please fix the balance",
                                  "cust states paid, disputes bal"])
def test_disputes(text):
    assert "dispute" in anywhere(text, "call" if text.startswith("cust") else "sms")


def test_sent_to_the_wrong_person_is_a_wrong_number_and_a_dispute_in_review():
    r = u("是不是发错人了")
    assert "wrong_number" in r.names() and "dispute" in {i.name for i in r.review}


# j. wrong numbers
@pytest.mark.parametrize("text", ["wrong bloke mate", "never heard of her, sorry", "I've had this number for 5 years",
                                  "这个手机号我已经用了十几年了", "this is his mum, he doesn't live here any more",
                                  "我是她房东，她不在这里住了"])
def test_wrong_numbers(text):
    assert "wrong_number" in anywhere(text)


def test_never_heard_of_the_loan_is_a_dispute_not_a_wrong_number():
    assert "wrong_number" not in anywhere("never heard of this loan")


# k. hardship, with a promise in the same text
@pytest.mark.parametrize("text", ["got no pay this month", "stuck overseas with no money at all", "今年收成不好",
                                  "货款还没到账", "can't pay right now"])
def test_hardship(text):
    assert "hardship" in anywhere(text)


def test_hardship_and_promise_both_count():
    names = anywhere("lost my job last month but I will pay 100 on the 30th")
    assert {"hardship", "promise_to_pay"} <= names


# l. round-1 misses
@pytest.mark.parametrize("text, expected", [
    ("Please don't contact me any more about this", ALL),
    ("so you can stop messaging me now", ("sms",)),
])
def test_round_one_wordings(text, expected):
    assert clear(text)["opt_out"] == expected
