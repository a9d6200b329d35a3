"""Words and clauses of a normalised text.

English is split into words; Chinese, written without spaces, is segmented by jieba (its Rust port
rjieba, ~0.1 s to load, microseconds per reply), so word boundaries are real: "我不打算还" is
我/不/打算/还, never 不打 ("don't call"); "还款" is one word, never 还 alone. The rule phrases are
added to the segmenter's dictionary (`teach`) so they segment as units.

A Clause joins its words into one string (a space between words, none between two Chinese words)
and keeps the offsets where words start and end: a phrase matches only on those boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|\d+(?:[.,:/-]\d+)*|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[$¥€£#]")
_CLAUSE = re.compile(r"[;!?]|(?<!\d)[.,]|[.,](?!\d)|\n")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

_jieba: Any = None
_taught: set[str] = set()
_split: set[str] = set()


def _segmenter() -> Any:
    global _jieba
    if _jieba is None:
        import rjieba

        _jieba = rjieba
    return _jieba


def teach(words: Iterable[str]) -> None:
    """Add phrases to the segmenter's dictionary (once per process) so a phrase such as 还不上 or
    发短信 is one word wherever it appears."""
    seg = _segmenter()
    new = [w for w in words if w not in _taught and len(w) >= 2 and all(map(is_cjk, w))]
    for w in new:
        seg.add_word(w, None, None)
        _taught.add(w)
    if new:
        _cut.cache_clear()


def split(words: Iterable[str]) -> None:
    """Words of the segmenter's own dictionary that hide a rule word inside them (别打我 hides 别
    and 打; 不能不要 hides 不要): removed from its dictionary, so they fall into their parts."""
    seg = _segmenter()
    new = [w for w in words if w not in _split and len(w) >= 2 and all(map(is_cjk, w))]
    for w in new:
        seg.add_word(w, 0, None)
        _split.add(w)
    if new:
        _cut.cache_clear()


@lru_cache(maxsize=65536)
def _cut(run: str) -> tuple[str, ...]:
    # No HMM: an unknown run falls into single characters (boundaries everywhere) rather than an
    # invented word that could swallow a rule's boundary.
    return tuple(w for w in _segmenter().cut(run, False) if w.strip())


def tokens(text: str) -> list[str]:
    """The words of a normalised text: English words, numbers, Chinese words, currency signs."""
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        w = m.group(0)
        if _CJK_CHAR.match(w):
            out.extend(_cut(w))
        else:
            out.append(w)
    return out


def is_cjk(word: str) -> bool:
    return bool(_CJK_CHAR.match(word))


def join(words: list[str] | tuple[str, ...]) -> tuple[str, dict[int, int], dict[int, int]]:
    """The words as one string, with {char offset: word index} of word starts and of word ends."""
    parts: list[str] = []
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    pos = 0
    prev_cjk = False
    for i, w in enumerate(words):
        cjk = is_cjk(w)
        if i and not (cjk and prev_cjk):
            parts.append(" ")
            pos += 1
        starts[pos] = i
        parts.append(w)
        pos += len(w)
        ends[pos] = i + 1
        prev_cjk = cjk
    return "".join(parts), starts, ends


@dataclass(frozen=True)
class Clause:
    words: tuple[str, ...]
    text: str
    starts: dict[int, int]
    ends: dict[int, int]
    question: bool          # ended with "?"


def clauses(normalized: str) -> list[Clause]:
    """The clauses of a normalised text (split at . , ; ! ? except inside numbers like 1,200.50)."""
    out: list[Clause] = []
    pos = 0
    pieces: list[tuple[str, bool]] = []
    for m in _CLAUSE.finditer(normalized):
        pieces.append((normalized[pos:m.start()], m.group(0) == "?"))
        pos = m.end()
    pieces.append((normalized[pos:], False))
    for piece, question in pieces:
        words = tuple(tokens(piece))
        if not words:
            if question and out:
                last = out[-1]
                out[-1] = Clause(last.words, last.text, last.starts, last.ends, True)
            continue
        text, starts, ends = join(words)
        out.append(Clause(words, text, starts, ends, question))
    return out
