"""The [surveys] section of config/lifecycle.toml: fatigue, token key, link validity, programmes.

Programmes are data: each names its scale, channel, template step, delay, sampling rate and
whether it runs. The five known programmes (PROGRAMMES) each have their own query naming whom
they would ask (sql/surveys/wanted_<name>.sql; sql/surveys/candidates.sql then samples them and
keeps one survey per borrower per day); a programme the file does not list is off.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

PROGRAMMES: tuple[str, ...] = (
    "post_call_csat", "payoff_nps", "relationship_nps", "hardship_plan", "end_of_delinquency",
)
SCALES: dict[str, tuple[int, int]] = {"csat": (1, 5), "nps": (0, 10)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Programme(_Strict):
    """One survey programme. delay_hours is for post_call_csat (hours after the reached call);
    delay_days for the others (local days after the event that triggers it). sample_rate: the
    share of eligible borrowers asked, drawn deterministically by hash (relationship_nps: of
    (borrower, month); the others: of (borrower, trigger)), so a re-run draws the same."""

    enabled: bool = True
    scale: Literal["csat", "nps"]
    channel: Literal["sms", "email"] = "sms"
    template: str = Field(default="survey", pattern=r"^[a-z][a-z0-9_]*$")
    delay_hours: int = Field(default=0, ge=0, le=72)
    delay_days: int = Field(default=0, ge=0, le=60)
    sample_rate: float = Field(default=1.0, ge=0.0, le=1.0)
    priority: int = Field(default=0, ge=0, le=100)   # which goes when two would reach one borrower the same day


class Surveys(_Strict):
    fatigue_days: int = Field(default=90, ge=1, le=730)
    answer_days: int = Field(default=14, ge=1, le=90)
    token_key_block: str | None = None
    severity: int = Field(default=-10, le=0)     # below every reminder and ladder step: caps drop surveys first
    programmes: dict[str, Programme] = {}

    @field_validator("programmes")
    @classmethod
    def _known(cls, programmes: dict[str, Programme]) -> dict[str, Programme]:
        for name in programmes:
            if name not in PROGRAMMES:
                raise ValueError(f"unknown programme {name!r}; known: {', '.join(PROGRAMMES)}")
        return programmes

    def enabled(self) -> dict[str, Programme]:
        """The programmes that run, by name."""
        return {name: p for name, p in self.programmes.items() if p.enabled}

    def steps(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every (template step, channels) the enabled programmes plan: cfg_steps rows of purpose 'survey'."""
        by_step: dict[str, set[str]] = {}
        for p in self.enabled().values():
            by_step.setdefault(p.template, set()).add(p.channel)
        return [(step, tuple(sorted(chs))) for step, chs in sorted(by_step.items())]
