"""Which templates must exist: derived from config/lifecycle.toml, so a new step needs its wording."""

from __future__ import annotations

from dataclasses import dataclass

from loan_comms.config import LANGUAGES, TEXT_CHANNELS, LifecycleConfig

PARTS: dict[str, tuple[str, ...]] = {"sms": ("txt",), "letter": ("txt",), "email": ("subject", "txt", "html")}
SURVEY_CHANNELS: tuple[str, ...] = ("sms", "email")


@dataclass(frozen=True, slots=True)
class Required:
    kind: str
    channel: str
    purpose: str  # reminder | escalation | follow_up | survey


def required_templates(cfg: LifecycleConfig) -> list[Required]:
    """Every (kind, channel) the lifecycle can send with text, in config order; each in every language."""
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
    return out


def template_id(channel: str, language: str, kind: str) -> str:
    return f"{channel}/{language}/{kind}"


def template_path(channel: str, language: str, kind: str, part: str) -> str:
    """Path relative to the templates dir, e.g. sms/en/dpd_1.txt.j2."""
    return f"{channel}/{language}/{kind}.{part}.j2"


__all__ = ["LANGUAGES", "PARTS", "Required", "required_templates", "template_id", "template_path"]
