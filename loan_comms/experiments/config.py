"""Experiments as data: config/experiments.toml, validated whole when any command starts.

A product manager writes an experiment here: who is in it (the population), what each arm proposes
differently from today's config (the champion), how many borrowers each arm takes, when it runs and
when a guardrail stops an arm. An arm only *proposes*: it can drop ladder steps, move a step later,
change a step's channels, move or drop a reminder, or send another wording of a template. It has no
key of the contact policy ([policy]: quiet hours, caps, pauses, holidays), so the gate decides every
contact of every arm exactly as it does today, and the audit judges them with the same rules.

What an arm may not do, and why:
  * change a step listed in policy.legally_required_steps or the hand-off step in any way (skip, move,
    another channel, another wording): a required notice is served as compliance approved it, and
    handing a case off is a commercial and legal process, not a treatment;
  * move a ladder step *earlier* (a lower min_dpd than the champion's): the ladder's timing is what
    compliance approved; an arm may escalate later, never sooner. An arm may add a channel to a step
    (a call with the dpd_1 SMS): that proposes more, the caps, cooldowns and quiet hours still bound
    every contact, and the guardrails watch what it does to complaints and opt-outs;
  * send a step on a channel the config does not use for any step (e.g. a visit where no step visits);
  * offer a repayment option the config does not define (`offer_options` picks among them).

Referenced from the lifecycle file as [experiments].file (a path relative to it; "" = no
experiments). Errors name the file and the key, like every config file.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from loan_comms.errors import LoanCommsError

if TYPE_CHECKING:
    from loan_comms.config import LifecycleConfig

CHAMPION = "champion"
ENV = "LOAN_COMMS_EXPERIMENTS_FILE"
_NAME = r"^[a-z][a-z0-9_]{0,39}$"
Name = Annotated[str, Field(pattern=_NAME)]


class ExperimentsError(LoanCommsError, ValueError):
    """An experiments file that cannot be used; the message names the file, key and problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Population(_Strict):
    """Who enters: a borrower with a loan of one of `products` (empty: any) in its days-past-due band
    `dpd` = [min, max] (the oldest unpaid installment's, on the plan's day), whose jurisdiction and
    language are listed (empty: any). They enter on the first such day inside the experiment's dates."""

    products: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    dpd: tuple[int, int] = (1, 30)

    @field_validator("dpd")
    @classmethod
    def _band(cls, v: tuple[int, int]) -> tuple[int, int]:
        if v[0] < 0 or v[1] < v[0]:
            raise ValueError(f"must be [min, max] with 0 <= min <= max, got {list(v)}")
        return v


class Guardrails(_Strict):
    """An arm is stopped when, against the champion, its share of borrowers who complained (or opted
    out) since they were assigned is higher by more than the threshold (absolute, 0.01 = 1 point), the
    lower bound of the difference's interval is above 0 (it is not noise), and both arms have at least
    `min_borrowers` borrowers. Its borrowers go back to the champion and operations get an alert."""

    complaint_rate_over_champion: float = Field(default=0.01, gt=0, le=1)
    opt_out_rate_over_champion: float = Field(default=0.02, gt=0, le=1)
    min_borrowers: int = Field(default=100, ge=10)


class Arm(_Strict):
    """One arm. The champion is today's config and changes nothing; a challenger lists what it proposes
    differently (see the module docstring for what it may not do)."""

    name: Name
    share: float = Field(gt=0, le=1)
    description: str = ""
    skip_steps: tuple[str, ...] = ()            # ladder steps this arm never proposes
    min_dpd: dict[str, int] = {}                # ladder step -> a later min_dpd than the champion's
    channels: dict[str, tuple[str, ...]] = {}   # ladder or reminder step -> its channels in this arm
    skip_reminders: tuple[str, ...] = ()        # reminder steps this arm never proposes
    reminder_days: dict[str, int] = {}          # reminder step -> days_before_due in this arm
    templates: dict[str, str] = {}              # step -> the template kind this arm sends instead
    offer_options: tuple[str, ...] = ()         # the repayment options it offers ([arrangements.options]); () = all

    @property
    def changes(self) -> bool:
        return bool(self.skip_steps or self.min_dpd or self.channels or self.skip_reminders
                     or self.reminder_days or self.templates or self.offer_options)


class Experiment(_Strict):
    name: Name
    description: str = ""
    salt: str = ""                               # default: the name; a new salt is a new draw
    start: date
    end: date
    population: Population = Population()
    cure_within_days: int = Field(default=30, ge=1, le=365)     # "cured": back to current within N days
    min_detectable_effect: float = Field(default=0.05, gt=0, lt=1)   # in cure-rate points, for the sample size
    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    power: float = Field(default=0.8, gt=0.5, lt=1)
    guardrails: Guardrails = Guardrails()
    arms: tuple[Arm, ...] = Field(min_length=2)

    @property
    def draw_salt(self) -> str:
        return self.salt or self.name

    @model_validator(mode="after")
    def _arms(self) -> "Experiment":
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        names = [a.name for a in self.arms]
        if len(set(names)) != len(names):
            raise ValueError(f"arms: repeated arm name(s): {', '.join(sorted({n for n in names if names.count(n) > 1}))}")
        if names[0] != CHAMPION:
            raise ValueError(f"arms[0].name: the first arm must be {CHAMPION!r} (today's config)")
        if self.arms[0].changes:
            raise ValueError("arms[0]: the champion is today's config and changes nothing; "
                             "put the changes in a challenger arm")
        total = sum(a.share for a in self.arms)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"arms: the shares add up to {total:g}; they must add up to 1")
        return self


class ExperimentsFile(_Strict):
    experiments: tuple[Experiment, ...] = ()
    source: str = "<memory>"

    @model_validator(mode="after")
    def _unique(self) -> "ExperimentsFile":
        names = [e.name for e in self.experiments]
        if len(set(names)) != len(names):
            raise ValueError(f"experiments: repeated name(s): {', '.join(sorted({n for n in names if names.count(n) > 1}))}")
        return self

    def running(self, day: date) -> tuple[Experiment, ...]:
        return tuple(e for e in self.experiments if e.start <= day <= e.end)

    def get(self, name: str) -> Experiment:
        for e in self.experiments:
            if e.name == name:
                return e
        raise ExperimentsError(f"{self.source}: no experiment named {name!r}; experiments: "
                               f"{', '.join(e.name for e in self.experiments) or '(none)'}")


_KIND = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def check_against(file: ExperimentsFile, cfg: "LifecycleConfig") -> None:
    """The checks that need the lifecycle config: every step named exists, and no arm loosens the
    policy or escalates sooner (module docstring). Raises ExperimentsError naming file and key."""
    ladder = {s.step: s for s in cfg.ladder}
    reminders = {r.step: r for r in cfg.reminders}
    legal = set(cfg.policy.legally_required_steps)
    handoff = cfg.handoff_step
    # served exactly as the config says, in every arm: the required notices and the hand-off
    fixed = legal | ({handoff} if handoff else set())
    from loan_comms.config import LANGUAGES
    from loan_comms.templating.catalog import required_templates

    kinds = {r.kind for r in required_templates(cfg, variants=False)}   # every message the config sends
    used_channels = {ch for s in cfg.ladder for ch in s.channels} | {ch for r in cfg.reminders for ch in r.channels}
    others = set(ladder) | set(reminders) | {name for name, _, _ in cfg.follow_ups.steps()}
    problems: list[str] = []
    for i, exp in enumerate(file.experiments):
        pop = exp.population
        for k, lang in enumerate(pop.languages):
            if lang not in LANGUAGES:
                problems.append(f"experiments[{i}].population.languages[{k}]: {lang!r} is not a language "
                                f"({', '.join(LANGUAGES)})")
        for k, where in enumerate(pop.jurisdictions):
            if where not in cfg.policy.profiles and where != "default":
                problems.append(f"experiments[{i}].population.jurisdictions[{k}]: {where!r} is not a profile of "
                                f"[policy.profiles] ({', '.join(cfg.policy.profiles)})")
        for j, arm in enumerate(exp.arms):
            at = f"experiments[{i}].arms[{j}]"
            for k, step in enumerate(arm.skip_steps):
                if step not in ladder:
                    problems.append(f"{at}.skip_steps[{k}]: {step!r} is not a ladder step ({', '.join(ladder)})")
                elif step in legal:
                    problems.append(f"{at}.skip_steps[{k}]: {step!r} is legally required "
                                    "(policy.legally_required_steps); no arm may skip it")
                elif step == handoff:
                    problems.append(f"{at}.skip_steps[{k}]: {step!r} hands the case off; no arm may skip it")
            for step, dpd in arm.min_dpd.items():
                if step not in ladder:
                    problems.append(f"{at}.min_dpd.{step}: not a ladder step ({', '.join(ladder)})")
                elif dpd < ladder[step].min_dpd:
                    problems.append(f"{at}.min_dpd.{step}: {dpd} is earlier than the champion's "
                                    f"{ladder[step].min_dpd}; an arm may escalate later, never sooner")
                elif dpd != ladder[step].min_dpd and step in fixed:
                    problems.append(f"{at}.min_dpd.{step}: {step!r} is legally required or hands the case off; "
                                    "no arm may move it")
            kept = [s for s in cfg.ladder if s.step not in arm.skip_steps]
            dpds = [(s.step, arm.min_dpd.get(s.step, s.min_dpd)) for s in kept]
            for (prev, a), (cur, b) in zip(dpds, dpds[1:]):
                if b <= a:
                    problems.append(f"{at}.min_dpd: {cur} ({b}) must stay after {prev} ({a}): the ladder keeps its order")
            for step, channels in arm.channels.items():
                if step not in ladder and step not in reminders:
                    problems.append(f"{at}.channels.{step}: not a ladder or reminder step")
                    continue
                if step in fixed:
                    problems.append(f"{at}.channels.{step}: {step!r} is legally required or hands the case off; "
                                    "every arm serves it as the config does")
                if not channels:
                    problems.append(f"{at}.channels.{step}: at least one channel (to drop the step, use "
                                    "skip_steps or skip_reminders)")
                for ch in channels:
                    if ch not in used_channels:
                        problems.append(f"{at}.channels.{step}: {ch!r} is not a channel the config uses "
                                        f"({', '.join(sorted(used_channels))})")
                    elif step in reminders and ch not in ("sms", "email"):
                        problems.append(f"{at}.channels.{step}: a reminder goes by sms or email, not {ch!r}")
            for k, step in enumerate(arm.skip_reminders):
                if step not in reminders:
                    problems.append(f"{at}.skip_reminders[{k}]: {step!r} is not a reminder ({', '.join(reminders)})")
                elif step in legal:
                    problems.append(f"{at}.skip_reminders[{k}]: {step!r} is legally required; no arm may skip it")
            for step, days in arm.reminder_days.items():
                if step not in reminders:
                    problems.append(f"{at}.reminder_days.{step}: not a reminder ({', '.join(reminders)})")
                elif not 0 <= days <= 30:
                    problems.append(f"{at}.reminder_days.{step}: {days} must be 0..30")
                elif step in fixed:
                    problems.append(f"{at}.reminder_days.{step}: {step!r} is legally required; no arm may move it")
            for step, kind in arm.templates.items():
                if step not in ladder and step not in reminders:
                    problems.append(f"{at}.templates.{step}: not a ladder or reminder step")
                elif step in fixed:
                    problems.append(f"{at}.templates.{step}: {step!r} is legally required or hands the case off; "
                                    "its wording is the one compliance approved, in every arm")
                elif not _KIND.match(kind) or not kind.startswith(step + "_"):
                    problems.append(f"{at}.templates.{step}: {kind!r}: a wording variant of {step} is named "
                                    f"{step}_<variant> (lower-case letters, digits, _), e.g. {step}_{arm.name}")
                elif kind in others or kind in kinds:
                    problems.append(f"{at}.templates.{step}: {kind!r} is already a message of the config; a "
                                    "wording variant needs its own name, e.g. " + f"{step}_{arm.name}")
            for k, option in enumerate(arm.offer_options):
                if option not in cfg.arrangements.options:
                    problems.append(f"{at}.offer_options[{k}]: {option!r} is not an option of [arrangements.options] "
                                    f"({', '.join(cfg.arrangements.options)})")
    if problems:
        raise ExperimentsError("\n".join(f"{file.source}: {p}" for p in problems))


def _loc(loc: tuple[object, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(top level)"


def load_experiments(path: str | Path) -> ExperimentsFile:
    """The experiments file, validated on its own (check_against adds the checks against a config);
    cached per file and reloaded when it changes."""
    p = Path(path).resolve()
    try:
        mtime = p.stat().st_mtime_ns
    except OSError as exc:
        raise ExperimentsError(f"{p}: cannot read the experiments file ({exc.strerror})") from None
    return _load(p, mtime)


@lru_cache(maxsize=16)
def _load(path: Path, mtime: int) -> ExperimentsFile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ExperimentsError(f"{path}: not valid TOML: {exc}") from None
    try:
        return ExperimentsFile(**data, source=str(path))
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                msg = ("unknown key (an arm proposes steps, channels, timing and wording only: no policy key; "
                       "see the comments in config/experiments.toml)")
            elif e["type"] == "missing":
                msg = "required key is missing"
            lines.append(f"{path}: {_loc(e['loc'])}: {msg}")
        raise ExperimentsError("\n".join(lines)) from None


def experiments_path(cfg: "LifecycleConfig") -> Path | None:
    """Where [experiments].file is (beside the lifecycle file, else the shipped config/ folder);
    None when it is "" (no experiments). LOAN_COMMS_EXPERIMENTS_FILE, when set, wins (a path from the
    working directory; "" switches experiments off): how the demo runs config/experiments.toml."""
    env = os.environ.get(ENV)
    if env is not None:
        return Path(env) if env else None
    if not cfg.experiments.file:
        return None
    from loan_comms.config import beside_config

    return beside_config(cfg, cfg.experiments.file)


def experiments_for(cfg: "LifecycleConfig") -> ExperimentsFile:
    """The experiments the lifecycle config names, checked against it; none when it names no file."""
    path = experiments_path(cfg)
    if path is None:
        return ExperimentsFile()
    file = load_experiments(path)
    check_against(file, cfg)
    return file
