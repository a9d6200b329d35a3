"""Complaint themes: a transparent dictionary (config/feedback_themes.toml), zh-CN and en.

    themes = load_themes()                    # validated; one clear line per mistake (ConfigError)
    themes.tag("天天打電話，太煩了")            # -> ("frequency",)

Both the phrases and the text go through the reply normaliser (`loan_comms.understanding.normalize`:
full-width -> ASCII, traditional -> simplified, case, emoji, spacing) and the reply segmenter's
tokeniser (`loan_comms.understanding.segment.tokens`), so 頻繁, ＲＵＤＥ and "too  many calls!!" are
the phrases 频繁, rude and "too many calls". A Chinese phrase matches anywhere inside a run of
Chinese (written without spaces, a word boundary is not reliable enough for a dictionary of
complaint words); an English phrase matches whole words only.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from loan_comms.config import ConfigError, _loc
from loan_comms.paths import REPO_ROOT
from loan_comms.understanding.normalize import normalize
from loan_comms.understanding.segment import is_cjk, tokens

THEMES_PATH = REPO_ROOT / "config" / "feedback_themes.toml"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Label(_Strict):
    en: str = Field(min_length=1)
    zh_cn: str = Field(alias="zh-CN", min_length=1)


class ThemeSpec(_Strict):
    label: Label
    zh_cn: tuple[str, ...] = Field(alias="zh-CN", min_length=1)
    en: tuple[str, ...] = Field(min_length=1)

    @field_validator("zh_cn", "en")
    @classmethod
    def _phrases(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for p in v:
            if not _words(p):
                raise ValueError(f"phrase {p!r} has no letters or characters to match")
        return v


class ThemesFile(_Strict):
    themes: dict[str, ThemeSpec] = Field(min_length=1)

    @field_validator("themes")
    @classmethod
    def _names(cls, v: dict[str, ThemeSpec]) -> dict[str, ThemeSpec]:
        for name in v:
            if not _NAME.match(name):
                raise ValueError(f"theme name {name!r}: lower-case letters, digits and _ only")
        return v


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(tokens(normalize(phrase)))


@dataclass(frozen=True)
class Theme:
    name: str
    label_en: str
    label_zh: str
    phrases: tuple[tuple[str, ...], ...]   # each phrase as its normalised words


@dataclass(frozen=True)
class Themes:
    """The compiled dictionary; `version` is the file's content hash (a re-tag shows in the data)."""

    themes: tuple[Theme, ...]
    version: str

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.themes)

    def label(self, name: str, language: str = "en") -> str:
        for t in self.themes:
            if t.name == name:
                return t.label_zh if language == "zh-CN" else t.label_en
        return name

    def tag(self, text: str | None) -> tuple[str, ...]:
        """The themes a text mentions, in the file's order (empty for no text or no theme)."""
        if not text:
            return ()
        words = tokens(normalize(text))
        if not words:
            return ()
        cjk_runs = "|".join(_cjk_runs(words))
        padded = " " + " ".join(w for w in words if not is_cjk(w)) + " "
        found = []
        for t in self.themes:
            if any(_mentions(p, cjk_runs, padded) for p in t.phrases):
                found.append(t.name)
        return tuple(found)


def _cjk_runs(words: list[str]) -> list[str]:
    """Consecutive Chinese words joined back into the runs they were written as."""
    runs: list[str] = []
    cur = ""
    for w in words:
        if is_cjk(w):
            cur += w
        elif cur:
            runs.append(cur)
            cur = ""
    if cur:
        runs.append(cur)
    return runs


def _mentions(phrase: tuple[str, ...], cjk_runs: str, padded: str) -> bool:
    if all(is_cjk(w) for w in phrase):
        return "".join(phrase) in cjk_runs
    return " " + " ".join(phrase) + " " in padded


def load_themes(path: str | Path | None = None) -> Themes:
    """Read and validate the themes file; a mistake is a ConfigError naming the file and the key."""
    p = Path(path) if path else THEMES_PATH
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the feedback themes ({exc.strerror or exc})") from exc
    return _compile(raw, str(p))


@lru_cache(maxsize=4)
def _compile(raw: bytes, where: str) -> Themes:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{where}: not valid UTF-8 TOML ({exc})") from exc
    try:
        spec = ThemesFile.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        raise ConfigError(f"{where}: {_loc(e['loc'])}: {e['msg']}") from exc
    seen: dict[tuple[str, ...], str] = {}
    out = []
    for name, t in spec.themes.items():
        phrases = []
        for p in (*t.zh_cn, *t.en):
            w = _words(p)
            if w in seen:
                raise ConfigError(f"{where}: themes.{name}: phrase {p!r} is already in theme {seen[w]!r}")
            seen[w] = name
            phrases.append(w)
        out.append(Theme(name, t.label.en, t.label.zh_cn, tuple(phrases)))
    return Themes(tuple(out), hashlib.sha256(raw).hexdigest()[:12])
