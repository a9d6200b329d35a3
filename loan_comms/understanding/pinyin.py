"""A fallback for replies that are Chinese by sound but not by spelling.

Borrowers type toneless pinyin when they have no Chinese keyboard ("bu yao zai fa le", "tuiding",
"bie da le"), and input methods and voice dictation write homophones ("短性" for 短信, "电化" for
电话). The rules' Chinese phrases are indexed once by their toneless pinyin (pypinyin, every reading
of a heteronym: 还 is hai and huan); a text is read as a sequence of syllables (its Chinese by
pypinyin, its Latin words split into pinyin syllables when they are pinyin) and every run of
syllables that sounds like a rule phrase is respelled as that phrase. The engine then reads the
respelled text; what only the respelling reveals is a weak reading (review): a sound-alike is a
guess, never proof.

Guards against respelling real words: Chinese characters are respelled only by phrases of two
syllables or more (one character sounds like dozens), Latin words only in a run of two syllables or
more ("da" alone stays "da", "bie da le" becomes 别打了). Matching is exact first, then with the
fuzzy pairs every pinyin input method offers (zh/z, ch/c, sh/s, -ng/-n: 短性 duan xing ~ 短信 duan xin).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache
from typing import Iterable

_MAX_SYLLABLES = 6
_UNIT = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z]+|[^a-z\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_FUZZY = [(re.compile(r"^zh"), "z"), (re.compile(r"^ch"), "c"), (re.compile(r"^sh"), "s"), (re.compile(r"ng$"), "n")]

_CLAUSE_MARK = re.compile(r"[.,;!?]")

_syllables: frozenset[str] | None = None


def _toneless(reading: str) -> str:
    s = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")   # ü -> v, as typed
    return "".join(c for c in s if not unicodedata.combining(c))


def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (from its character dictionary), once."""
    global _syllables
    if _syllables is None:
        from pypinyin.pinyin_dict import pinyin_dict

        found = {_toneless(r) for readings in pinyin_dict.values() for r in readings.split(",")}
        # Interjection syllables (n, m, ng, hm) would split English words ("no" = n + o): left out.
        _syllables = frozenset(s for s in found if s.isascii() and s.isalpha() and (len(s) > 1 or s in "aeo")
                               and s not in ("ng", "hm", "hng"))
    return _syllables


def _fuzzy(key: tuple[str, ...]) -> tuple[str, ...]:
    out = []
    for s in key:
        for pat, rep in _FUZZY:
            s = pat.sub(rep, s)
        out.append(s)
    return tuple(out)


@lru_cache(maxsize=4096)
def split_word(word: str) -> tuple[str, ...] | None:
    """A Latin word as pinyin syllables ("tuiding" -> tui ding), or None when it is not pinyin.
    Longest syllable first, with backtracking (xian: xian, not xi an)."""
    known = syllables()
    if word in known:
        return (word,)
    n = len(word)

    def walk(i: int) -> tuple[str, ...] | None:
        if i == n:
            return ()
        for j in range(min(n, i + 6), i, -1):
            if word[i:j] in known:
                rest = walk(j)
                if rest is not None:
                    return (word[i:j], *rest)
        return None

    return walk(0)


@lru_cache(maxsize=16384)
def _cjk_syllables(run: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    out = tuple(lazy_pinyin(run))
    return out if len(out) == len(run) else tuple(lazy_pinyin(c)[0] for c in run)


class Respeller:
    """The rules' Chinese phrases by toneless pinyin (exact, and fuzzy)."""

    def __init__(self, phrases: Iterable[str], homophones: Iterable[str]) -> None:
        """`phrases`: every Chinese phrase of the rules (what pinyin typed in Latin letters may
        stand for); `homophones`: those a sound-alike written in Chinese characters may stand for
        (the [pinyin].homophone_lexicons: contact and opt-out words; not the dispute or
        hardship words, where sound-alikes are everyday words: 没钱 / 没签, 那天 / 哪天)."""
        self._phrases = sorted(set(phrases), key=lambda p: (-len(p), p))
        self._homophones = sorted(set(homophones), key=lambda p: (-len(p), p))
        self._known = frozenset(self._phrases)
        self.latin: dict[tuple[str, ...], str] = {}
        self.latin_fuzzy: dict[tuple[str, ...], str] = {}
        self.cjk: dict[tuple[str, ...], str] = {}
        self.cjk_fuzzy: dict[tuple[str, ...], str] = {}
        self._ready = False
        self._cache: dict[str, str] = {}

    def _build(self) -> None:
        from pypinyin import Style, pinyin

        default: list[tuple[tuple[str, ...], str]] = []
        other: list[tuple[tuple[str, ...], str]] = []
        for phrase in self._phrases:
            if len(phrase) > _MAX_SYLLABLES:
                continue
            main = _cjk_syllables(phrase)
            default.append((main, phrase))
            readings = pinyin(phrase, style=Style.NORMAL, heteronym=True)
            for combo in itertools.islice(itertools.product(*readings), 16):
                if tuple(combo) != main:
                    other.append((tuple(combo), phrase))
        for key, phrase in default + other:          # a phrase's usual reading wins over a rare one
            self.latin.setdefault(key, phrase)
            self.latin_fuzzy.setdefault(_fuzzy(key), phrase)
        for phrase in self._homophones:              # characters: the usual reading only
            if 2 <= len(phrase) <= _MAX_SYLLABLES:
                key = _cjk_syllables(phrase)
                self.cjk.setdefault(key, phrase)
                self.cjk_fuzzy.setdefault(_fuzzy(key), phrase)
        self._ready = True

    def _lookup(self, key: tuple[str, ...]) -> str | None:
        return self.latin.get(key) or self.latin_fuzzy.get(_fuzzy(key))

    def _lookup_cjk(self, key: tuple[str, ...]) -> str | None:
        return self.cjk.get(key) or self.cjk_fuzzy.get(_fuzzy(key))

    def respell(self, normalized: str) -> str:
        """The text with every run of syllables that sounds like a rule phrase written as the
        phrase; the text itself when nothing sounds like one (the common case). Cached per text."""
        done = self._cache.get(normalized)
        if done is None:
            if len(self._cache) >= 8192:
                self._cache.clear()
            done = self._cache[normalized] = self._respell(normalized)
        return done

    def _respell(self, normalized: str) -> str:
        units = _UNIT.findall(normalized)
        has_cjk = any(_CJK.match(u) for u in units)
        # Latin words that are pinyin, counted per run: a run needs two syllables or more.
        plan: list[tuple[str, tuple[str, ...] | None]] = []   # (unit, syllables or None = literal)
        for u in units:
            if _CJK.match(u):
                plan.append((u, None))
            elif u[0].isalpha():
                plan.append((u, split_word(u)))
            else:
                plan.append((u, None))
        # Latin words are pinyin only in a clause whose Latin words all are ("bu yao da le"), never
        # inside English ("I can pay", "paying" = pa + ying).
        start = 0
        for end in range(len(plan) + 1):
            if end == len(plan) or _CLAUSE_MARK.search(plan[end][0]):
                latin = [k for k in range(start, end) if plan[k][0][0].isalpha() and not _CJK.match(plan[k][0])]
                if any(plan[k][1] is None for k in latin):
                    for k in latin:
                        plan[k] = (plan[k][0], None)
                start = end + 1
        if not has_cjk and sum(len(s) for _u, s in plan if s) < 2:
            return normalized
        if not self._ready:
            self._build()
        out: list[str] = []
        changed = False
        i = 0
        while i < len(plan):
            unit, sylls = plan[i]
            if _CJK.match(unit):
                text, did = self._respell_cjk(unit)
                out.append(text)
                changed |= did
                i += 1
                continue
            if sylls is None:
                out.append(unit)
                i += 1
                continue
            # A run of pinyin words (spaces between them are not units).
            j = i
            run: list[tuple[str, tuple[str, ...]]] = []
            while j < len(plan) and plan[j][1] is not None:
                run.append((plan[j][0], plan[j][1] or ()))
                j += 1
            text, did = self._respell_latin(run)
            out.append(text)
            changed |= did
            i = j
        if not changed:
            return normalized
        return _join(out)

    def _respell_cjk(self, run: str) -> tuple[str, bool]:
        sylls = _cjk_syllables(run)
        out: list[str] = []
        changed = False
        k = 0
        while k < len(run):
            for length in range(min(_MAX_SYLLABLES, len(run) - k), 1, -1):
                if run[k:k + length] in self._known:     # a rule phrase as written stays itself
                    out.append(run[k:k + length])
                    k += length
                    break
                phrase = self._lookup_cjk(sylls[k:k + length])
                if phrase is not None:
                    if phrase != run[k:k + length]:
                        changed = True
                    out.append(phrase)
                    k += length
                    break
            else:
                out.append(run[k])
                k += 1
        return "".join(out), changed

    def _respell_latin(self, run: list[tuple[str, tuple[str, ...]]]) -> tuple[str, bool]:
        as_is = " ".join(w for w, _s in run)
        flat = [s for _w, sylls in run for s in sylls]
        word_of = [i for i, (_w, sylls) in enumerate(run) for _s in sylls]
        if len(flat) < 2:
            return as_is, False
        out: list[str] = []
        covered = [False] * len(flat)
        k = 0
        while k < len(flat):
            for length in range(min(_MAX_SYLLABLES, len(flat) - k), 0, -1):
                phrase = self._lookup(tuple(flat[k:k + length]))
                if phrase is not None:
                    out.append(phrase)
                    covered[k:k + length] = [True] * length
                    k += length
                    break
            else:
                out.append(" " + flat[k] + " ")
                k += 1
        # Pinyin, not English that happens to split into syllables ("balance" = ba lan ce): every
        # word of two syllables or more is wholly a phrase's, and phrases cover half the run.
        for i, (_w, sylls) in enumerate(run):
            if len(sylls) > 1 and not all(c for c, w in zip(covered, word_of) if w == i):
                return as_is, False
        if sum(covered) * 2 < len(flat):
            return as_is, False
        return "".join(out), True


def _join(parts: list[str]) -> str:
    text = ""
    for p in parts:
        if not text or _CJK.match(p[:1] or " ") and _CJK.match(text[-1]):
            text += p
        elif p[:1] in ".,;!?":
            text += p
        else:
            text += " " + p
    return re.sub(r"\s+", " ", text).strip()
