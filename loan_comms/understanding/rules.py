"""The rules of config/replies.toml: validated (one clear line per mistake), compiled once.

Compliance edits that file, so every error names the file and the key, as the lifecycle config's
do. The content hash of the file is the rules' version, recorded with every decision they make
(`decided_by = "rules:<hash>"`): an edit is visible in the log even if nobody bumps a number.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from loan_comms.config import ConfigError, _loc
from loan_comms.paths import REPO_ROOT
from loan_comms.understanding import segment
from loan_comms.understanding.model import INTENTS
from loan_comms.understanding.normalize import normalize
from loan_comms.understanding.pinyin import Respeller

if TYPE_CHECKING:
    from loan_comms.config import LifecycleConfig

RULES_PATH = REPO_ROOT / "config" / "replies.toml"
CHANNEL_KEYS = ("sms", "email", "call", "visit", "letter")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Confidence(_Strict):
    strong: float = Field(default=0.95, ge=0, le=1)
    weak: float = Field(default=0.6, ge=0, le=1)
    tcpa: float = Field(default=0.99, ge=0, le=1)


class Review(_Strict):
    deadline_business_days: int = Field(default=2, ge=1, le=10)


class Negation(_Strict):
    window: int = Field(default=2, ge=0, le=10)
    cues: tuple[str, ...] = ()
    hedges: tuple[str, ...] = ()
    # Wordings that begin with a cue but negate nothing that follows ("别担心", "don't worry").
    not_cues: tuple[str, ...] = ()
    # Words that end a cue's reach inside a clause ("别发了 我会自己还的": 了 closes 别发).
    breaks: tuple[str, ...] = ()


class Question(_Strict):
    # Words that end a clause that asks (吗, 呢): with "?", they make a clause a question, where a
    # rule marked `not_in_question` does not apply ("Can I pay on Friday?" asks, it promises nothing).
    end_words: tuple[str, ...] = ()


class Segmenter(_Strict):
    split: tuple[str, ...] = ()


class Tcpa(_Strict):
    keywords: tuple[str, ...] = Field(min_length=1)
    not_opt_out: tuple[str, ...] = ()
    # Exemptions that need their context, written as rule patterns ("@stop_by ~2 @place"): "stop in"
    # alone is no exemption ("Please stop in future" revokes), "stop in at the branch" is one.
    not_opt_out_context: tuple[str, ...] = ()

    @field_validator("not_opt_out_context")
    @classmethod
    def _context_syntax(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _check_patterns(v)
    other_objects: tuple[str, ...] = ()


class ChannelWords(_Strict):
    sms: tuple[str, ...] = ()
    email: tuple[str, ...] = ()
    call: tuple[str, ...] = ()
    visit: tuple[str, ...] = ()
    letter: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()
    all: tuple[str, ...] = ()


_PATTERN_ELEMENT = re.compile(r"^(?:\^|\$|~\d{1,2}|@[a-z_]+\??|[^\s@~^$]+\??)$")


def _check_patterns(v: tuple[str, ...]) -> tuple[str, ...]:
    for i, pattern in enumerate(v):
        parts = pattern.split()
        if not parts:
            raise ValueError(f"[{i}]: empty pattern")
        for p in parts:
            if not _PATTERN_ELEMENT.match(p):
                raise ValueError(f"[{i}]: {p!r} is not an element (@lexicon, word|word, ~N, ^ or $)")
    return v


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_.]*$")
    intent: Literal["opt_out", "opt_in", "hardship", "dispute", "wrong_number", "complaint", "promise_to_pay",
                    "callback_request", "question"]
    match: tuple[str, ...] = Field(min_length=1)
    strength: Literal["strong", "weak"] = "strong"
    negatable: bool = True
    detail: dict[str, str] = {}
    needs: Literal["date", "date_for_apply"] | None = None
    not_in_question: bool = False
    other_object: bool = False
    unless_next: str | None = Field(default=None, pattern=r"^@[a-z_]+$")
    # opt_out: the channels the clause names are the ONLY ones allowed ("email only", "post only",
    # "只接受书面"): the opt-out closes every other channel of all_channels.
    only: bool = False

    @field_validator("match")
    @classmethod
    def _syntax(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _check_patterns(v)


class Pinyin(_Strict):
    # Match the Chinese phrases by toneless pinyin when the text does not match as written:
    # "bu yao zai fa le", "tuiding", 短性 (for 短信). What only the fallback finds goes to review.
    fallback: bool = True
    # The lexicons a sound-alike written in Chinese characters may stand for (短性 -> 短信).
    homophone_lexicons: tuple[str, ...] = ()


class RulesFile(_Strict):
    apply_threshold: float = Field(default=0.8, gt=0, le=1)
    short_reply_words: int = Field(default=6, ge=1, le=50)
    all_channels: tuple[Literal["sms", "email", "call", "visit", "letter"], ...] = Field(
        default=("sms", "email", "call", "visit"), min_length=1)
    confidence: Confidence = Confidence()
    review: Review = Review()
    negation: Negation = Negation()
    question: Question = Question()
    segmenter: Segmenter = Segmenter()
    tcpa: Tcpa
    channel_words: ChannelWords = ChannelWords()
    dialect: dict[str, str] = {}
    emoji: dict[str, tuple[str, ...]] = {}
    pinyin: Pinyin = Pinyin()
    lexicon: dict[str, tuple[str, ...]] = {}
    rules: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> "RulesFile":
        known = set(self.lexicon) | {f"channel_{k}" for k in ChannelWords.model_fields}
        ids: set[str] = set()
        for i, rule in enumerate(self.rules):
            if rule.id in ids:
                raise ValueError(f"rules[{i}].id: {rule.id!r} is used twice")
            ids.add(rule.id)
            for j, pattern in enumerate(rule.match):
                for p in pattern.split():
                    if p.startswith("@") and p.rstrip("?")[1:] not in known:
                        raise ValueError(f"rules[{i}].match[{j}]: unknown lexicon {p.rstrip('?')!r}; "
                                         f"known: {', '.join(sorted(known))}")
            if rule.unless_next and rule.unless_next[1:] not in known:
                raise ValueError(f"rules[{i}].unless_next: unknown lexicon {rule.unless_next!r}")
            if rule.only and rule.intent != "opt_out":
                raise ValueError(f"rules[{i}].only: only an opt_out rule restricts channels")
            if rule.needs and rule.intent != "promise_to_pay":
                raise ValueError(f"rules[{i}].needs: only a promise_to_pay rule needs a date")
        for j, pattern in enumerate(self.tcpa.not_opt_out_context):
            for p in pattern.split():
                if p.startswith("@") and p.rstrip("?")[1:] not in known:
                    raise ValueError(f"tcpa.not_opt_out_context[{j}]: unknown lexicon {p.rstrip('?')!r}")
        if self.confidence.weak >= self.apply_threshold:
            raise ValueError("confidence.weak must be below apply_threshold (a weak rule is never applied)")
        if min(self.confidence.strong, self.confidence.tcpa) < self.apply_threshold:
            raise ValueError("confidence.strong and confidence.tcpa must reach apply_threshold")
        for name in self.pinyin.homophone_lexicons:
            if name not in known:
                raise ValueError(f"pinyin.homophone_lexicons: unknown lexicon {name!r}")
        for src, dst in self.dialect.items():
            if not src.strip() or not dst.strip():
                raise ValueError(f"dialect.{src!r}: a dialect entry maps a non-empty wording to a non-empty one")
        for word, marks in self.emoji.items():
            if not re.fullmatch(r"[a-z][a-z ]*", word) or not marks or not all(m.strip() for m in marks):
                raise ValueError(f"emoji.{word}: a lower-case word, mapped from a non-empty list of emoji")
        for name, words in self.lexicon.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"lexicon.{name}: a lexicon name is lower-case letters, digits and _")
            if not words:
                raise ValueError(f"lexicon.{name}: empty")
        return self


# ---------------------------------------------------------------------------------------------
# Compiled form


@dataclass(frozen=True)
class Slot:
    lexicon: str          # a lexicon name, or "=<literal>" for inline words
    optional: bool
    gap: int              # words allowed between the previous slot and this one


@dataclass(frozen=True)
class Pattern:
    slots: tuple[Slot, ...]
    at_start: bool
    at_end: bool
    required: frozenset[str] = frozenset()    # the lexicons it cannot match without (a fast reject)


@dataclass(frozen=True)
class CompiledRule:
    id: str
    intent: str
    patterns: tuple[Pattern, ...]
    strong: bool
    negatable: bool
    detail: dict[str, str]
    needs: str | None
    not_in_question: bool = False
    other_object: bool = False
    unless_next: str | None = None
    only: bool = False


Span = tuple[int, int]                   # [first word, last word + 1) in a clause


@dataclass(frozen=True)
class Rules:
    """The loaded rules. `version`, `apply_threshold`, `short_reply_words`, `deadline_business_days`
    and `all_channels` are read by the recording, policy and audit code."""

    version: str = "none"
    apply_threshold: float = 0.8
    short_reply_words: int = 6
    deadline_business_days: int = 2
    all_channels: tuple[str, ...] = ("sms", "email", "call", "visit")
    path: str = "<memory>"
    confidence_strong: float = 0.95
    confidence_weak: float = 0.6
    confidence_tcpa: float = 0.99
    negation_window: int = 2
    rules: tuple[CompiledRule, ...] = ()
    # [tcpa].not_opt_out_context: exemptions matched as patterns, added to a clause's _not_opt_out
    exemptions: tuple[Pattern, ...] = ()
    # phrase index: first character -> [(phrase, lexicon names)], longest first
    index: dict[str, list[tuple[str, frozenset[str]]]] = field(default_factory=dict)
    # [dialect] and [emoji]: wordings replaced in the raw text before it is normalised
    substitutions: dict[str, str] = field(default_factory=dict)
    substitute_re: re.Pattern[str] | None = None
    # [pinyin]: the Chinese phrases of the rules, matched by toneless pinyin as a fallback
    respeller: Respeller | None = None

    def substitute(self, text: str) -> str:
        """Dialect words (唔好 -> 不要) and meaningful emoji (🛑 -> stop) replaced, longest first."""
        if self.substitute_re is None or not text:
            return text
        return self.substitute_re.sub(lambda m: self.substitutions[m.group(0)], text)

    def spans(self, clause: segment.Clause) -> dict[str, list[Span]]:
        """Every lexicon's matches in the clause, on word boundaries only."""
        out: dict[str, list[Span]] = {}
        text, ends = clause.text, clause.ends
        for offset, first_word in clause.starts.items():
            for phrase, names in self.index.get(text[offset], ()):
                end = offset + len(phrase)
                if end in ends and text.startswith(phrase, offset):
                    span = (first_word, ends[end])
                    for name in names:
                        out.setdefault(name, []).append(span)
        return out


def _canon(phrase: str) -> str:
    """A phrase in the form clauses are matched in (normalised, segmented, re-joined)."""
    words = segment.tokens(normalize(phrase).replace("_", " "))
    return segment.join(words)[0]


def _teachable(phrases: set[str]) -> list[str]:
    """The phrases to teach the segmenter: Chinese words that do not begin or end with another
    phrase. Teaching 联系我 would make it one word and hide 联系 from the rules that need it; a
    phrase built of other phrases matches anyway (on their boundaries)."""
    zh = {p for p in phrases if p and all(map(segment.is_cjk, p))}
    return sorted(w for w in zh if len(w) >= 2 and not any(
        o != w and (w.startswith(o) or w.endswith(o)) for o in zh))


def _compile_pattern(pattern: str, literals: dict[str, set[str]]) -> Pattern:
    slots: list[Slot] = []
    gap = 0
    at_start = at_end = False
    for p in pattern.split():
        if p == "^":
            at_start = True
        elif p == "$":
            at_end = True
        elif p.startswith("~"):
            gap = int(p[1:])
        else:
            optional = p.endswith("?") and len(p) > 1
            p = p.rstrip("?") if optional else p
            if p.startswith("@"):
                name = p[1:]
            else:
                name = "=" + p
                literals[name] = {w.replace("_", " ") for w in p.split("|")}
            slots.append(Slot(name, optional, gap))
            gap = 0
    return Pattern(tuple(slots), at_start, at_end, frozenset(s.lexicon for s in slots if not s.optional))


def compile_rules(spec: RulesFile, version: str, path: str) -> Rules:
    lexicons: dict[str, set[str]] = {k: set(v) for k, v in spec.lexicon.items()}
    for key in ChannelWords.model_fields:
        lexicons[f"channel_{key}"] = set(getattr(spec.channel_words, key))
    lexicons["_neg"] = set(spec.negation.cues)
    lexicons["_hedge"] = set(spec.negation.hedges)
    lexicons["_not_neg"] = set(spec.negation.not_cues)
    lexicons["_neg_break"] = set(spec.negation.breaks)
    lexicons["_qend"] = set(spec.question.end_words)
    lexicons["_tcpa"] = set(spec.tcpa.keywords)
    lexicons["_not_opt_out"] = set(spec.tcpa.not_opt_out)
    lexicons["_other_object"] = set(spec.tcpa.other_objects)
    literals: dict[str, set[str]] = {}
    compiled = tuple(
        CompiledRule(r.id, r.intent, tuple(_compile_pattern(p, literals) for p in r.match),
                     r.strength == "strong", r.negatable, dict(r.detail), r.needs, r.not_in_question,
                     r.other_object, r.unless_next[1:] if r.unless_next else None, r.only)
        for r in spec.rules)
    exemptions = tuple(_compile_pattern(p, literals) for p in spec.tcpa.not_opt_out_context)
    lexicons.update(literals)
    segment.split(normalize(w) for w in spec.segmenter.split)
    segment.teach(_teachable({normalize(w) for words in lexicons.values() for w in words}))
    by_phrase: dict[str, set[str]] = {}
    for name, words in lexicons.items():
        for w in words:
            canon = _canon(w)
            if canon:
                by_phrase.setdefault(canon, set()).add(name)
    index: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for phrase in sorted(by_phrase, key=len, reverse=True):
        index.setdefault(phrase[0], []).append((phrase, frozenset(by_phrase[phrase])))
    substitutions: dict[str, str] = {}
    for src, dst in spec.dialect.items():
        substitutions[unicodedata.normalize("NFKC", src)] = dst
    for word, marks in spec.emoji.items():
        for mark in marks:
            substitutions[mark] = f" {word} "
    substitute_re = (re.compile("|".join(re.escape(k) for k in sorted(substitutions, key=len, reverse=True)))
                     if substitutions else None)
    respeller = None
    if spec.pinyin.fallback:
        zh = [p for p in by_phrase if p and all(map(segment.is_cjk, p))]
        chosen = set(spec.pinyin.homophone_lexicons)
        respeller = Respeller(zh, [p for p in zh if by_phrase[p] & chosen])
    return Rules(version=version, apply_threshold=spec.apply_threshold, short_reply_words=spec.short_reply_words,
                 deadline_business_days=spec.review.deadline_business_days, all_channels=spec.all_channels,
                 path=path, confidence_strong=spec.confidence.strong, confidence_weak=spec.confidence.weak,
                 confidence_tcpa=spec.confidence.tcpa, negation_window=spec.negation.window, rules=compiled,
                 exemptions=exemptions, index=index, substitutions=substitutions, substitute_re=substitute_re,
                 respeller=respeller)


@lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int) -> Rules:
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        spec = RulesFile(**data)
    except ValidationError as exc:
        e = exc.errors()[0]
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (misspelt? see the comments in the shipped replies.toml)"
        elif e["type"] == "missing":
            msg = "required key is missing"
        where = _loc(e["loc"])
        raise ConfigError(f"{path}: {where}: {msg}" if e["loc"] else f"{path}: {msg}") from None
    return compile_rules(spec, hashlib.sha256(raw).hexdigest()[:12], str(path))


def load_rules(path: Path | str | None = None) -> Rules:
    """The rules of `path` (default config/replies.toml), validated and compiled; cached per file
    (and reloaded when the file changes)."""
    p = Path(path or RULES_PATH).resolve()
    try:
        mtime = p.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the reply rules ({exc.strerror})") from None
    return _load(p, mtime)


def rules_path(cfg: "LifecycleConfig") -> Path:
    """Where the lifecycle config's [replies].rules file is: beside the lifecycle file, else (a
    lifecycle file copied elsewhere without its rules) the shipped config/ folder."""
    name = Path(cfg.replies.rules)
    if name.is_absolute():
        return name
    candidates = []
    if cfg.source and cfg.source != "<memory>":
        candidates.append(Path(cfg.source).resolve().parent / name)
    candidates.append(RULES_PATH.parent / name)
    for c in candidates:
        if c.exists():
            return c
    return candidates[0]


def rules_for(cfg: "LifecycleConfig") -> Rules:
    """The rules file the lifecycle config names ([replies].rules), loaded once per file."""
    return load_rules(rules_path(cfg))


__all__ = ["INTENTS", "RULES_PATH", "Rules", "load_rules", "rules_for", "rules_path"]
