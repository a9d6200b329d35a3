"""STAND-IN (replaced by helper A): the rules of config/replies.toml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Rules:
    version: str = "stub"
    apply_threshold: float = 0.8
    short_reply_words: int = 6
    deadline_business_days: int = 2
    all_channels: tuple[str, ...] = ("sms", "email", "call", "visit")


def load_rules(path: Path | None = None) -> Rules:
    return Rules()


def rules_for(cfg: Any) -> Rules:
    """The rules the lifecycle config `cfg` names (config/replies.toml beside it)."""
    return load_rules()
