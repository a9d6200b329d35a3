"""SMS segments as carriers count them: GSM-7 160/153, UCS-2 70/67, extension chars count 2."""

from __future__ import annotations

from hypothesis import given, strategies as st

from loan_comms.templating.sms import sms_length


def test_gsm7_single_and_split():
    assert sms_length("a" * 160).segments == 1
    assert sms_length("a" * 161).segments == 2
    assert sms_length("a" * 306).segments == 2  # 2 x 153
    assert sms_length("a" * 307).segments == 3
    assert sms_length("a" * 160).encoding == "GSM-7"


def test_extended_characters_count_two():
    assert sms_length("€").units == 2
    assert sms_length("€" * 80).segments == 1  # 160 units
    assert sms_length("a" + "€" * 80).segments == 2  # 161 units
    n = sms_length("Pay [now] ~ {ok}")
    assert (n.encoding, n.chars, n.units) == ("GSM-7", 16, 21)  # [ ] ~ { } are extension chars


def test_extended_character_is_not_split_across_segments():
    # 152 units, then a 2-unit char that does not fit the first 153-unit segment.
    text = "a" * 152 + "€" + "a" * 10
    assert sms_length(text).units == 164
    assert sms_length(text).segments == 2
    assert sms_length("a" * 152 + "€" * 77 + "a").segments == 3  # 152 | 1+... packs into a 3rd


def test_chinese_is_ucs2():
    assert sms_length("还" * 70).segments == 1
    assert sms_length("还" * 71).segments == 2
    assert sms_length("还" * 134).segments == 2
    assert sms_length("还" * 135).segments == 3
    assert sms_length("还款").encoding == "UCS-2"


def test_one_non_gsm_character_switches_the_whole_message():
    text = "a" * 100 + "í"  # í is not in GSM-7 (é is)
    n = sms_length(text)
    assert n.encoding == "UCS-2" and n.segments == 2
    assert sms_length("a" * 100 + "é").encoding == "GSM-7"


def test_emoji_take_two_ucs2_units():
    assert sms_length("😀" * 35).segments == 1
    assert sms_length("😀" * 36).segments == 2


def test_empty_message_has_no_segments():
    assert sms_length("").segments == 0


@given(st.text(alphabet="abc XYZ123.,€[]", max_size=600))
def test_segments_grow_with_length_and_respect_capacity(text):
    n = sms_length(text)
    if n.units <= 160:
        assert n.segments == (1 if text else 0)
    else:
        assert n.units <= n.segments * 153 and n.units > (n.segments - 1) * 153 - n.segments
