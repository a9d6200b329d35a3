"""The simulator's phrase bank: free-text SMS replies, worded as borrowers word them.

Why generative and separate: a 60-day simulation must exercise the reply classifier on text that
neither the classifier's rules (config/replies.toml) nor the labelled corpus
(tests/data/replies/corpus.jsonl) were written from, or the simulation would only replay what the
rules already know. Templates with alternatives ({a|b}, [optional|ones]) and slots (<date>, <amount>,
<day>) live in phrases.toml beside this module; each choice is a hash draw on the reply's key, so a
seed gives the same replies on every run (replay-safe) and no random state is shared.

A promise's date is 3-7 days after `as_of` and is written relative to it ("on Friday", "下周一",
"the 5th"), so whatever reads it must resolve it against the day the reply arrived.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

PHRASES_PATH = Path(__file__).with_name("phrases.toml")

#: What the simulator can draw: the classifier's intents (not "other"), plus opt_out_all (an
#: opt-out of every channel), chatter (thanks / ok: "other"), ambiguous (the review queue's case) and
#: opt_out_email (an unsubscribe written as an e-mail reply).
DRAWABLE = ("opt_out", "opt_out_all", "opt_in", "hardship", "promise_to_pay", "dispute", "wrong_number",
            "complaint", "callback_request", "question", "chatter", "ambiguous", "opt_out_email")
LANGUAGES = ("zh", "en", "mixed")

_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ZH_WEEKDAYS = "一二三四五六日"
_ZH_DIGITS = "零一二三四五六七八九"
_AMOUNTS = (200, 300, 500, 800, 1000, 1200, 1500, 2000, 3000)
_SLOT = re.compile(r"<(date|amount|day)>")


class PhraseError(ValueError):
    """The phrase bank is malformed (unknown intent or language, unbalanced brackets)."""


@dataclass(frozen=True)
class _Draws:
    """A stream of deterministic draws for one key: the n-th draw hashes (key, n)."""

    key: str

    def pick(self, n: int, label: str, size: int) -> int:
        digest = hashlib.sha256(f"{self.key}\x1f{label}\x1f{n}".encode()).digest()
        return int.from_bytes(digest[:8], "big") % size


@cache
def _bank(path: Path = PHRASES_PATH) -> dict[str, dict[str, tuple[str, ...]]]:
    """The templates per intent and language, checked once: every intent of DRAWABLE, every language."""
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    bank: dict[str, dict[str, tuple[str, ...]]] = {}
    for intent in DRAWABLE:
        section = raw.get(intent)
        if not isinstance(section, dict):
            raise PhraseError(f"{path.name}: no [{intent}] section")
        bank[intent] = {}
        for lang in LANGUAGES:
            templates = section.get(lang)
            if not templates or not all(isinstance(t, str) for t in templates):
                raise PhraseError(f"{path.name}: [{intent}] needs a non-empty list of strings '{lang}'")
            for t in templates:
                _check_brackets(t, f"{path.name} [{intent}] {lang}")
            bank[intent][lang] = tuple(templates)
    return bank


def _check_brackets(template: str, where: str) -> None:
    stack: list[str] = []
    for ch in template:
        if ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not stack or stack.pop() != ch:
                raise PhraseError(f"{where}: unbalanced brackets in {template!r}")
    if stack:
        raise PhraseError(f"{where}: unbalanced brackets in {template!r}")


def _expand(template: str, draws: _Draws, counter: list[int]) -> str:
    """Resolve {a|b} and [x|y] (nothing, or one of them) left to right, innermost choices drawn
    after their enclosing one."""
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch in "{[":
            close = "}" if ch == "{" else "]"
            depth, j, parts, start = 0, i + 1, [], i + 1
            while True:
                c = template[j]
                if c in "{[":
                    depth += 1
                elif c in "}]":
                    if depth == 0 and c == close:
                        parts.append(template[start:j])
                        break
                    depth -= 1
                elif c == "|" and depth == 0:
                    parts.append(template[start:j])
                    start = j + 1
                j += 1
            counter[0] += 1
            if ch == "[" and not draws.pick(counter[0], "opt", 2):
                chosen = ""
            else:
                chosen = parts[draws.pick(counter[0], "alt", len(parts))]
            out.append(_expand(chosen, draws, counter))
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _zh_number(n: int) -> str:
    """1..9999 in Chinese numerals as people write amounts: 500 -> 五百, 1200 -> 一千二, 1500 -> 一千五."""
    thousands, hundreds, rest = n // 1000, (n // 100) % 10, n % 100
    s = ""
    if thousands:
        s += ("两" if thousands == 2 else _ZH_DIGITS[thousands]) + "千"
        if hundreds and not rest:
            return s + _ZH_DIGITS[hundreds]
    if hundreds:
        s += ("两" if hundreds == 2 and not thousands else _ZH_DIGITS[hundreds]) + "百"
    return s + (str(rest) if rest else "")


def _date_phrase(lang: str, days: int, as_of: date, form: int) -> str:
    """`as_of + days` written relative to `as_of` in one of several forms of the language."""
    d = as_of + timedelta(days=days)
    same_week = d.isocalendar()[:2] == as_of.isocalendar()[:2]
    if lang == "en":
        forms = [f"on {_EN_WEEKDAYS[d.weekday()]}" if days < 7 else f"next {_EN_WEEKDAYS[d.weekday()]}",
                 f"on the {d.day}{_ordinal(d.day)}",
                 f"by {_EN_MONTHS[d.month - 1]} {d.day}",
                 f"on {d.month}/{d.day}",
                 f"{'this' if same_week else 'next'} {_EN_SHORT_DAYS[d.weekday()]}",
                 f"on {d.day} {_EN_MONTHS[d.month - 1]}"]
    else:
        week = "这" if same_week else "下"
        forms = [f"{d.month}月{d.day}号", f"{d.month}月{d.day}日", f"{d.day}号",
                 f"{week}周{_ZH_WEEKDAYS[d.weekday()]}", f"{week}星期{_ZH_WEEKDAYS[d.weekday()]}",
                 "大后天" if days == 3 else f"{week}礼拜{'天' if d.weekday() == 6 else _ZH_WEEKDAYS[d.weekday()]}"]
    return forms[form % len(forms)]


def _day_phrase(lang: str, days: int, as_of: date, form: int) -> str:
    """A callback day 1-3 days ahead."""
    d = as_of + timedelta(days=days)
    if lang == "en":
        forms = ["tomorrow" if days == 1 else f"on {_EN_WEEKDAYS[d.weekday()]}", _EN_WEEKDAYS[d.weekday()]]
    else:
        near = {1: "明天", 2: "后天", 3: "大后天"}[days]
        forms = [near, f"周{_ZH_WEEKDAYS[d.weekday()]}", f"{d.day}号"]
    return forms[form % len(forms)]


def _ordinal(n: int) -> str:
    return "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _amount_phrase(lang: str, amount: int, form: int) -> str:
    if lang == "en":
        forms = [str(amount), f"${amount}", f"{amount} dollars", f"${amount:,}"]
    else:
        forms = [str(amount), f"{amount}元", f"{amount}块", _zh_number(amount), f"{_zh_number(amount)}块"]
    return forms[form % len(forms)]


def promised_days(key: str) -> int:
    """How many days after the SMS a drawn promise falls (3..7): the simulator's kept-promise
    payments and tests read the same draw."""
    return 3 + _Draws(key).pick(0, "days", 5)


def draw(intent: str, language: str, key: str, as_of: date) -> str:
    """One reply of `intent` in `language` ("zh", "en", "mixed"; "zh-CN" is read as "zh"), the same
    text for the same key. `as_of` is the day the SMS it answers was sent: relative dates in the
    reply ("on Friday", "下周一") are relative to it."""
    lang = "zh" if language.lower().startswith("zh") else language.lower()
    bank = _bank()
    if intent not in bank:
        raise PhraseError(f"unknown intent {intent!r}; one of {', '.join(DRAWABLE)}")
    if lang not in LANGUAGES:
        raise PhraseError(f"unknown language {language!r}; one of zh, en, mixed")
    draws = _Draws(key)
    templates = bank[intent][lang]
    template = templates[draws.pick(0, f"template:{intent}:{lang}", len(templates))]
    text = _expand(template, draws, [0])
    # mixed replies write dates and amounts the Chinese way, words around them in either language
    slot_lang = "en" if lang == "en" else "zh"

    def fill(m: re.Match[str]) -> str:
        slot = m.group(1)
        if slot == "date":
            return _date_phrase(slot_lang, promised_days(key), as_of, draws.pick(0, "date-form", 6))
        if slot == "day":
            return _day_phrase(slot_lang, 1 + draws.pick(0, "day", 3), as_of, draws.pick(0, "day-form", 3))
        amount = _AMOUNTS[draws.pick(0, "amount", len(_AMOUNTS))]
        return _amount_phrase(slot_lang, amount, draws.pick(0, "amount-form", 5))

    return re.sub(r"\s+", " ", _SLOT.sub(fill, text)).strip()
