"""The review of issue 12 found wordings the rules dropped or misread (findings 3, 9, 11 and two
doubtful points). Each test below failed on i12-int: a revocation must never come out as nothing.

- 3: the not_opt_out exemptions ("stop in", "stop at", "i quit") held without their context, so
  "Stop at once", "Please stop in future", "I quit!" were nothing; now an exemption needs its
  context (a place after "stop by/in/at", a job after "quit") and a short reply an exemption
  explains, with nothing else in it, goes to review;
- 11: "I never want to hear from you again", "S T O P", "T D", "够了", "不用了" were nothing;
- cease and desist (a Reg F cease-communication request) closed only the channel it came on;
- "why do you keep texting me, stop" carried a stray opt-in candidate ("keep texting");
- 9: the recorder stores the first MAX_TEXT characters and the audit classifies what is stored,
  so the classifier reads exactly those (and a longer text goes to a person for the rest).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from loan_comms.inbound import replies
from loan_comms.understanding import Understanding, understand
from loan_comms.understanding.classify import MAX_TEXT

AT = datetime(2026, 11, 18, 15, 0, tzinfo=timezone.utc)
ALL = ("sms", "email", "call", "visit")


def u(text: str, channel: str = "sms") -> Understanding:
    return understand(text, channel=channel, received_at=AT, timezone="America/New_York")


def clear(text: str, channel: str = "sms") -> dict[str, tuple[str, ...]]:
    return {i.name: i.channels for i in u(text, channel).intents}


def review(text: str, channel: str = "sms") -> dict[str, tuple[str, ...]]:
    return {i.name: i.channels for i in u(text, channel).review}


# -- finding 3 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Stop at once", "STOP AT ONCE", "Please stop in future", "Stop in the name of god",
                                  "I quit!", "quit calling me at work"])
def test_a_tcpa_word_an_exemption_no_longer_explains_is_a_clear_opt_out(text):
    assert "opt_out" in clear(text)


@pytest.mark.parametrize("text", ["I'll stop by the branch tomorrow", "stop at the office", "ok I'll stop in on Monday",
                                  "the end"])
def test_a_short_reply_an_exemption_explains_goes_to_review_never_to_nothing(text):
    assert "opt_out" not in clear(text)
    assert review(text).get("opt_out") == ("sms",)


@pytest.mark.parametrize("text, kept", [("I quit my job", "hardship"),
                                        ("I'll pay at the end of the month", "promise_to_pay")])
def test_an_exemption_in_context_still_explains_its_keyword(text, kept):
    r = u(text)
    assert kept in {i.name for i in r.intents}
    assert "opt_out" not in {i.name for i in (*r.intents, *r.review)}


def test_a_negated_keyword_stays_nothing():
    assert clear("don't stop") == {} and review("don't stop") == {}


# -- finding 11 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, channels", [("I never want to hear from you again", ALL),
                                            ("I don't want to hear from your company", ALL),
                                            ("S T O P", ("sms",)), ("s.t.o.p", ("sms",)), ("T D", ("sms",))])
def test_these_are_clear_opt_outs(text, channels):
    assert clear(text).get("opt_out") == channels


@pytest.mark.parametrize("text", ["够了", "不用了", "Enough!", "no more"])
def test_enough_alone_goes_to_review(text):
    assert review(text).get("opt_out") == ("sms",)


def test_hearing_from_us_without_a_refusal_is_nothing():
    assert u("I'd love to hear from you about a plan").review == ()
    assert "opt_out" not in clear("I'd love to hear from you about a plan")


# -- doubtful points ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["cease and desist", "Cease communication", "cease all contact", "停止一切联系",
                                  "Please cease all communications with me"])
@pytest.mark.parametrize("channel", ["sms", "email"])
def test_cease_and_desist_closes_every_channel(text, channel):
    assert clear(text, channel).get("opt_out") == ALL


def test_an_opt_in_wording_inside_a_complaint_is_no_opt_in_candidate():
    for text in ("why do you keep texting me, stop", "why do you keep texting me"):
        r = u(text)
        assert "opt_in" not in {i.name for i in (*r.intents, *r.review)}, text
    assert clear("why do you keep texting me, stop").get("opt_out") == ("sms",)
    assert clear("keep texting me please").get("opt_in") == ("sms",)     # asked plainly, it is one


# -- finding 9 ----------------------------------------------------------------------------------

def test_the_classifier_reads_exactly_what_the_recorder_stores():
    assert replies.MAX_TEXT == MAX_TEXT
    long = "I will pay on Friday. " * (MAX_TEXT // 20) + "Stop emailing me."
    assert len(long) > MAX_TEXT
    stored = long[:replies.MAX_TEXT]
    full, kept = u(long, "email"), u(stored, "email")
    assert [i.name for i in full.intents] == [i.name for i in kept.intents]   # what the audit will find again
    assert "opt_out" not in clear(stored, "email")
    # the rest is unread: a person looks, e-mail pauses meanwhile
    assert [(i.name, i.rule, i.channels) for i in full.review] == [("opt_out", "length.unread", ("email",))]
    assert full.note and "only the first" in full.note


def test_a_long_text_that_already_opts_out_gets_no_extra_item():
    r = u("Stop emailing me. " + "x" * MAX_TEXT, "email")
    assert r.intents[0].name == "opt_out" and r.review == ()


def test_a_context_exemption_naming_an_unknown_lexicon_is_one_clear_line(tmp_path):
    from loan_comms.config import ConfigError
    from loan_comms.understanding import load_rules
    from loan_comms.understanding.rules import RULES_PATH

    bad = tmp_path / "replies.toml"
    bad.write_text(RULES_PATH.read_text(encoding="utf-8").replace('"@stop_by ~2 @visit_place"',
                                                                   '"@stop_by ~2 @visit_places"'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tcpa.not_opt_out_context\[0\]: unknown lexicon '@visit_places'"):
        load_rules(bad)
