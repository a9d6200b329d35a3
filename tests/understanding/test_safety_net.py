"""The safety net (opt_out.safety_net): wordings no rule lists, that speak of contacting the person
with a word of refusal, annoyance or negation, go to a person as a possible opt-out: never applied
alone, never silently dropped. A clause with a clear meaning of its own is left alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from loan_comms.understanding import understand

AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def _read(text: str, channel: str = "sms"):
    u = understand(text, channel=channel, received_at=AT)
    return {i.name: i for i in u.intents}, {i.name: i for i in u.review}


@pytest.mark.parametrize("text", [
    "I am so fed up with these messages",
    "these phone calls again, seriously",
    "你们的电话我真的受不了",
])
def test_unlisted_annoyance_about_contact_goes_to_a_person(text):
    clear, review = _read(text)
    assert "opt_out" not in clear
    assert "opt_out" in review and review["opt_out"].rule == "opt_out.safety_net"


@pytest.mark.parametrize("text", ["your texts are driving me up the wall, enough", "天天来短信，有完没完"])
def test_annoyance_a_rule_knows_still_goes_to_a_person(text):
    clear, review = _read(text)
    assert "opt_out" in review and "opt_out" not in clear


@pytest.mark.parametrize("text", ["thanks, got the message", "好的，收到短信了", "ok", "call me after 6pm"])
def test_contact_without_unease_or_with_its_own_meaning_is_left_alone(text):
    clear, review = _read(text)
    assert "opt_out" not in clear and "opt_out" not in review
