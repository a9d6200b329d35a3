"""Complaint themes: the shipped dictionary in zh-CN and en, with the variants borrowers type; and
the file's validation (one line naming the file and the key)."""

from __future__ import annotations

import pytest

from loan_comms.config import ConfigError
from loan_comms.surveys import load_themes


@pytest.fixture(scope="module")
def themes():
    return load_themes()


@pytest.mark.parametrize("text, expected", [
    # frequency
    ("你们天天打电话", ("frequency",)), ("太頻繁了", ("frequency",)), ("这是骚扰", ("frequency",)),
    ("這是騷擾！！", ("frequency",)), ("Too many calls!!", ("frequency",)), ("TOO   MANY  TEXTS", ("frequency",)),
    ("ｔｏｏ ｍａｎｙ ｃａｌｌｓ", ("frequency",)), ("stop harassing me 🙏", ("frequency",)),
    # conduct
    ("催收员态度很差", ("conduct",)), ("態度惡劣", ("conduct",)), ("他很凶", ("conduct",)),
    ("The agent was RUDE", ("conduct",)), ("r u d e", ("conduct",)), ("he was threatening me", ("conduct",)),
    # negotiation
    ("可以协商吗", ("negotiation",)), ("能不能分期", ("negotiation",)), ("我想協商", ("negotiation",)),
    ("Can I get a payment plan?", ("negotiation",)), ("installments please", ("negotiation",)),
    # wrong person
    ("你们打错了", ("wrong_person",)), ("這不是我", ("wrong_person",)), ("Wrong number", ("wrong_person",)),
    ("this is not me", ("wrong_person",)),
    # fees
    ("手续费太高", ("fees",)), ("罰息太多", ("fees",)), ("why so many fees", ("fees",)),
    ("Late FEE is unfair", ("fees",)),
    # several, and none
    ("天天打，态度还很凶，手续费也高", ("frequency", "conduct", "fees")),
    ("too many calls and rude, 协商一下分期", ("frequency", "conduct", "negotiation")),
    ("谢谢，已经还了", ()), ("thanks, paid already", ()), ("", ()), ("🙂", ()),
])
def test_tagging_in_both_languages_with_variants(themes, text, expected):
    assert themes.tag(text) == expected


@pytest.mark.parametrize("text", ["planet", "the planner called", "feeling fine", "chargers for sale", "notme"])
def test_english_phrases_match_whole_words_only(themes, text):
    assert themes.tag(text) == ()


def test_labels_in_both_languages(themes):
    assert themes.names == ("frequency", "conduct", "negotiation", "wrong_person", "fees")
    assert themes.label("fees", "zh-CN") == "费用" and themes.label("fees", "en") == "Fees and charges"
    assert len(themes.version) == 12


GOOD = '[themes.x]\nlabel = { en = "X", zh-CN = "叉" }\nzh-CN = ["频繁"]\nen = ["spam"]\n'


@pytest.mark.parametrize("text, says", [
    (GOOD.replace('en = ["spam"]', 'en = []'), "themes.x.en"),
    (GOOD.replace('en = ["spam"]', 'en = ["!!!"]'), "no letters"),
    (GOOD + 'colour = "red"\n', "colour"),
    (GOOD.replace("[themes.x]", "[themes.Bad-Name]"), "theme name"),
    (GOOD + '[themes.y]\nlabel = { en = "Y", zh-CN = "乙" }\nzh-CN = ["頻繁"]\nen = ["other"]\n', "already in theme 'x'"),
    ("themes = [", "not valid UTF-8 TOML"),
    ("", "themes"),
])
def test_a_bad_file_is_one_config_error_naming_file_and_key(tmp_path, text, says):
    path = tmp_path / "themes.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_themes(path)
    assert str(path) in str(e.value) and says in str(e.value)
    assert "\n" not in str(e.value)


def test_a_good_small_file_loads(tmp_path):
    path = tmp_path / "themes.toml"
    path.write_text(GOOD, encoding="utf-8")
    t = load_themes(path)
    assert t.names == ("x",) and t.tag("頻繁") == ("x",) and t.tag("SPAM!") == ("x",)
