"""Which templates must exist: derived from config/lifecycle.toml, so a new step needs its wording."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from loan_comms.config import LANGUAGES, TEXT_CHANNELS, LifecycleConfig

PARTS: dict[str, tuple[str, ...]] = {"sms": ("txt",), "letter": ("txt",), "email": ("subject", "txt", "html")}
SURVEY_CHANNELS: tuple[str, ...] = ("sms", "email")


@dataclass(frozen=True, slots=True)
class Required:
    kind: str
    channel: str
    purpose: str  # reminder | escalation | follow_up | survey


def required_templates(cfg: LifecycleConfig, *, variants: bool = True) -> list[Required]:
    """Every (kind, channel) the lifecycle can send with text, in config order; each in every language.
    variants: with the experiments' wording variants (not when checking the experiments themselves)."""
    out: list[Required] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, channels: tuple[str, ...], purpose: str) -> None:
        for ch in channels:
            if ch in TEXT_CHANNELS and (kind, ch) not in seen:
                seen.add((kind, ch))
                out.append(Required(kind, ch, purpose))

    for r in cfg.reminders:
        add(r.step, r.channels, "reminder")
    for s in cfg.ladder:
        add(s.step, s.channels, "escalation")
    for kind, channels, _ in cfg.follow_ups.steps():
        add(kind, channels, "follow_up")
    for kind, channels, _ in cfg.arrangements.steps():   # a repayment plan's own contacts (issue 15)
        add(kind, channels, "follow_up")
    add("survey", SURVEY_CHANNELS, "survey")
    if variants:
        _add_experiment_variants(cfg, add)
    return out


def _add_experiment_variants(cfg: LifecycleConfig, add: Callable[[str, tuple[str, ...], str], None]) -> None:
    """The wording variants an experiment's arm sends (config/experiments.toml `templates`), on the
    channels that arm sends the step on: required like any template, so lint and the studio see them."""
    from loan_comms.experiments.config import experiments_for

    ladder = {s.step: s.channels for s in cfg.ladder}
    reminders = {r.step: r.channels for r in cfg.reminders}
    for e in experiments_for(cfg).experiments:
        for arm in e.arms:
            for step, kind in arm.templates.items():
                channels = arm.channels.get(step, ladder.get(step) or reminders.get(step, ()))
                add(kind, tuple(channels), "escalation" if step in ladder else "reminder")


def template_id(channel: str, language: str, kind: str) -> str:
    return f"{channel}/{language}/{kind}"


def template_path(channel: str, language: str, kind: str, part: str) -> str:
    """Path relative to the templates dir, e.g. sms/en/dpd_1.txt.j2."""
    return f"{channel}/{language}/{kind}.{part}.j2"


__all__ = ["LANGUAGES", "PARTS", "Required", "required_templates", "template_id", "template_path"]
