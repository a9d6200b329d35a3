"""One canonical form of a text, so that a rule written once matches every way of typing it.

ＳＴＯＰ, Stop!!!, stop 🙏 and 請不要再給我發短信 reach the rules as `stop!`, `stop` and
`请不要再给我发短信`. The same function normalises the rule phrases when the rules load, so a phrase
and a text can never disagree on case, width or script.

Clause punctuation is kept (collapsed to one ASCII mark) because clauses bound negation: in
"No, stop" the "no" does not negate the "stop".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

# Chinese / typographic punctuation NFKC leaves alone, mapped to the ASCII clause marks.
_PUNCT = str.maketrans({
    "。": ".", "．": ".", "｡": ".", "、": ",", "，": ",", "；": ";", "！": "!", "？": "?", "…": ".",
    "‘": "'", "’": "'", "`": "'", "´": "'", "＇": "'", "“": '"', "”": '"', "「": '"', "」": '"',
    "『": '"', "』": '"', "【": " ", "】": " ", "《": " ", "》": " ", "〈": " ", "〉": " ", "～": " ",
    "~": " ", "—": " ", "–": " ", "·": " ", "・": " ", "\u3000": " ",
})
# Unicode categories dropped: symbols (emoji, ★, ♥, ✔), modifiers (skin tones), format characters
# (zero-width joiner), combining marks (variation selectors), private use and surrogates.
_DROP = {"So", "Sk", "Cf", "Mn", "Me", "Co", "Cs", "Cn"}
_KEEP_SYMBOLS = set("$¥€£#%&+@/")
_LETTER_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")          # opt-out -> optout, e-mail -> email
_PUNCT_RUN = re.compile(r"\s*([.,;!?])[\s.,;!?]*")
_SPACES = re.compile(r"\s+")
_NUMBER_MARK = re.compile(r"(?<=\d)([.,])(?=\d)")           # 300.50, 1,200: not clause marks
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-z]{2,}")
# A word typed letter by letter ("S T O P", "T D", "s.t.o.p"): two or more single Latin letters,
# each followed by one space or dot, not inside a longer word.
_SPELLED = re.compile(r"(?<![a-z'])[a-z](?:[ .][a-z](?![a-z']))+")

_t2s: Any = None


def _to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese with OpenCC (phrase-aware, loaded once, ~5 ms). The
    Taiwan-phrase profile (tw2sp) also maps the Taiwanese words to the mainland ones: 簡訊 -> 短信,
    訊息 -> 消息, so one rule phrase covers both; simplified text passes through unchanged."""
    global _t2s
    if not _CJK.search(text):
        return text
    if _t2s is None:
        import opencc

        _t2s = opencc.OpenCC("tw2sp")
    return str(_t2s.convert(text))


def _drop_symbols(text: str) -> str:
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif unicodedata.category(ch) in _DROP and ch not in _KEEP_SYMBOLS:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _collapse_punct(m: re.Match[str]) -> str:
    run = m.group(0)
    # The strongest mark of a run wins: "?!" is a question, "!!!" one "!", "..." one ".".
    mark = "?" if "?" in run else "!" if "!" in run else ";" if ";" in run else m.group(1)
    return f"{mark} "


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """NFKC (full-width -> ASCII), traditional -> simplified, case-folded, symbols and emoji
    removed, words spelt out letter by letter joined ("S T O P" -> "stop": a keyword typed that way
    is still the keyword), clause punctuation collapsed to one ASCII mark, single spaces."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text)
    t = _to_simplified(t)
    t = t.casefold().translate(_PUNCT)
    t = _drop_symbols(t)
    t = _LETTER_HYPHEN.sub("", t)
    t = _SPELLED.sub(lambda m: m.group(0).replace(" ", "").replace(".", ""), t)
    t = _NUMBER_MARK.sub(lambda m: "\x01" if m.group(1) == "." else "\x02", t)
    t = _PUNCT_RUN.sub(_collapse_punct, t).replace("\x01", ".").replace("\x02", ",")
    t = _SPACES.sub(" ", t).strip()
    return t.lstrip(".,;!").strip()


def language(normalized: str) -> str:
    """By script: "zh" (Chinese characters), "en" (Latin words), "mixed" (both) or "unknown"."""
    zh = bool(_CJK.search(normalized))
    en = bool(_LATIN.search(normalized))
    if zh and en:
        return "mixed"
    return "zh" if zh else "en" if en else "unknown"
