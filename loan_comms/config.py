"""The lifecycle configuration (config/lifecycle.toml): load, validate, explain mistakes.

Product and operations edit that file, so every error names the key and what is wrong with it
instead of a traceback.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from loan_comms.errors import LoanCommsError
from loan_comms.paths import CONFIG_PATH
from loan_comms.arrangements.config import Arrangements
from loan_comms.handoff.config import Handoff
from loan_comms.surveys.config import Surveys

Channel = Literal["sms", "email", "call", "letter", "visit"]
TEXT_CHANNELS: tuple[str, ...] = ("sms", "email", "letter")
LANGUAGES: tuple[str, ...] = ("zh-CN", "en")


class ConfigError(LoanCommsError, ValueError):
    """A config file that cannot be used; the message names the file, key and problem."""

    exit_code = 2


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class General(_Strict):
    default_language: Literal["zh-CN", "en"] = "en"
    pay_link_base: str
    help_line: str
    survey_link_base: str = "https://survey.example.com/s/"


class ReminderStep(_Strict):
    step: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    days_before_due: int = Field(ge=0, le=60)
    channels: tuple[Channel, ...] = Field(min_length=1)
    collection: bool = False    # a collection contact (paid, dispute, holiday rules; the audit's pauses)


class LadderStep(_Strict):
    step: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    min_dpd: int = Field(ge=1)
    channels: tuple[Channel, ...] = Field(min_length=1)
    severity: int = Field(ge=0)
    collection: bool = True
    # The step that hands the case to the legal or agency partner ([handoff]): once its contact went
    # (or could never go, see docs/collectors/handoff.md) the loan is silent (gate rule handed_off).
    handoff: bool = False


FOLLOW_UP_STEPS: tuple[str, ...] = ("hardship_offer", "forbearance_offer", "broken_promise", "payment_confirmation",
                                     "visit_notice", "opt_out_confirmation", "callback")


class FollowUps(_Strict):
    hardship_pause_days: int = Field(default=14, ge=0, le=365)
    hardship_offer_channels: tuple[Channel, ...] = ("sms", "email")
    forbearance_offer_channels: tuple[Channel, ...] = ("sms", "email")
    broken_promise_channels: tuple[Channel, ...] = ("sms",)
    payment_confirmation_channels: tuple[Channel, ...] = ("sms",)
    # The notice announcing a visit (FCA CONC 7.9: purpose and adequate notice), [visits].notice_days before it.
    visit_notice_channels: tuple[Literal["letter", "sms", "email"], ...] = Field(default=("letter",), min_length=1)
    # Priority when caps force a choice, on the same scale as ladder severities.
    hardship_offer_severity: int = 100
    forbearance_offer_severity: int = 95
    payment_confirmation_severity: int = 90
    broken_promise_severity: int = 8
    visit_notice_severity: int = 6
    # Collection contacts: what the borrower asked for (a plan) and thanks for a payment are not.
    hardship_offer_collection: bool = False
    forbearance_offer_collection: bool = True
    broken_promise_collection: bool = True
    payment_confirmation_collection: bool = False
    visit_notice_collection: bool = True
    # Issue 12, replies. The one confirmation of an opt-out made by reply (TCPA 2024: one text
    # confirming the revocation is allowed), on the opt-out's own channel, to the point it came from:
    # only channels a reply arrives on. Never a collection contact (validated below).
    opt_out_confirmation_channels: tuple[Literal["sms", "email"], ...] = ("sms", "email")
    opt_out_confirmation_severity: int = 110
    opt_out_confirmation_collection: bool = False
    # The call a borrower asked for (callback_request), on the day asked or the next days when the
    # caps, quiet hours or the cooldown hold it, for at most callback_wait_days days after that day.
    callback_channels: tuple[Literal["call"], ...] = ("call",)
    callback_severity: int = 105
    callback_collection: bool = False
    callback_wait_days: int = Field(default=3, ge=0, le=14)

    @field_validator("opt_out_confirmation_collection")
    @classmethod
    def _confirmation_is_not_collection(cls, value: bool) -> bool:
        if value:
            raise ValueError("must be false: the confirmation of an opt-out may carry no collection language, "
                             "and it is the one contact exempt from the opt-out it confirms")
        return value

    def steps(self) -> list[tuple[str, tuple[str, ...], int]]:
        """(step, channels, severity) of every follow-up, in FOLLOW_UP_STEPS order."""
        return [(s, getattr(self, f"{s}_channels"), getattr(self, f"{s}_severity")) for s in FOLLOW_UP_STEPS]

    def collection(self, step: str) -> bool:
        """Whether the follow-up `step` is a collection contact."""
        return bool(getattr(self, f"{step}_collection"))


def _parse_hhmm(value: str) -> time:
    try:
        hh, mm = value.split(":")
        return time(int(hh), int(mm))
    except (ValueError, TypeError):
        raise ValueError(f"{value!r} is not a local time like '08:00'") from None


def _known_calendar(code: str) -> str:
    """A holiday calendar the `holidays` library has: an unknown code would pass here and crash
    the first run that looks up that profile's holidays."""
    import holidays

    if code not in holidays.list_supported_countries():
        raise ValueError(f"unknown holiday calendar {code!r}; use a country code the holidays library "
                         "supports, such as CN, HK, SG, GB or US")
    return code


HolidayCalendar = Annotated[str, AfterValidator(_known_calendar)]


def _known_zone(name: str) -> str:
    """An IANA timezone name zoneinfo knows: a typo would otherwise make every window of the
    profile's borrowers unknowable at the first run."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {name!r}; use an IANA name such as Asia/Shanghai, "
                         "America/New_York or Europe/London") from None
    return name


def _region(code: str) -> str:
    """An ISO 3166 region code as the phonenumbers library names regions ("CN", "US", "GB")."""
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError(f"{code!r} is not a region code like 'CN', 'US' or 'GB' (two capital letters)")
    return code


IanaZone = Annotated[str, AfterValidator(_known_zone)]
RegionCode = Annotated[str, AfterValidator(_region)]


class Profile(_Strict):
    """One jurisdiction's contact rules."""

    contact_window: tuple[str, str]
    calls_per_7_days: int = Field(ge=0)
    reached_calls_per_day: int = Field(ge=0)
    call_cooldown_days_after_conversation: int = Field(ge=0)
    sms_per_day: int = Field(ge=0)
    sms_per_7_days: int = Field(ge=0)
    email_per_day: int = Field(ge=0)
    contacts_per_day: int = Field(ge=0)
    holiday_calendars: tuple[HolidayCalendar, ...] = ()
    forbearance_before_escalation: bool = False
    # Where the profile's rules apply besides the jurisdiction on file: a borrower whose phone
    # number belongs to one of these regions is held to this profile too (the strictest wins).
    countries: tuple[RegionCode, ...] = ()
    # The profile's IANA zones: a borrower imported without a timezone (and whose phone gives none)
    # may be in any of them, so every one is a plausible zone (docs/policy.md, "Where the person is").
    timezones: tuple[IanaZone, ...] = ()

    @field_validator("contact_window")
    @classmethod
    def _window(cls, v: tuple[str, str]) -> tuple[str, str]:
        start, end = (_parse_hhmm(x) for x in v)
        if not start < end:
            raise ValueError(f"window start {v[0]} must be before its end {v[1]} (same local day)")
        return v

    @property
    def window_start(self) -> time:
        return _parse_hhmm(self.contact_window[0])

    @property
    def window_end(self) -> time:
        return _parse_hhmm(self.contact_window[1])


_CAP_FIELDS = (
    "calls_per_7_days", "reached_calls_per_day", "call_cooldown_days_after_conversation",
    "sms_per_day", "sms_per_7_days", "email_per_day", "contacts_per_day",
)


def strictest(profiles: dict[str, Profile]) -> Profile:
    """The profile that obeys every other one: latest start, earliest end, lowest caps."""
    ps = list(profiles.values())
    start = max(p.window_start for p in ps)
    end = min(p.window_end for p in ps)
    values: dict[str, Any] = {f: min(getattr(p, f) for p in ps) for f in _CAP_FIELDS}
    values["call_cooldown_days_after_conversation"] = max(p.call_cooldown_days_after_conversation for p in ps)
    return Profile(
        contact_window=(start.strftime("%H:%M"), end.strftime("%H:%M")),
        holiday_calendars=tuple(sorted({c for p in ps for c in p.holiday_calendars})),
        forbearance_before_escalation=any(p.forbearance_before_escalation for p in ps),
        timezones=tuple(sorted({z for p in ps for z in p.timezones})),
        **values,
    )


class Vulnerable(_Strict):
    """Limits while a borrower is flagged vulnerable (FCA FG21/1, Consumer Duty): each cap is the
    smaller of the borrower's profile and this; calls only when `calls_allowed`."""

    calls_allowed: bool = False
    calls_per_7_days: int = Field(default=2, ge=0)
    reached_calls_per_day: int = Field(default=1, ge=0)
    sms_per_day: int = Field(default=1, ge=0)
    sms_per_7_days: int = Field(default=3, ge=0)
    email_per_day: int = Field(default=1, ge=0)
    contacts_per_day: int = Field(default=1, ge=0)


class Holidays(_Strict):
    extra_dates: tuple[str, ...] = ()

    @field_validator("extra_dates")
    @classmethod
    def _dates(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        from datetime import date

        for d in v:
            try:
                date.fromisoformat(d)
            except ValueError:
                raise ValueError(f"{d!r} is not a date like '2026-10-01'") from None
        return v


class Policy(_Strict):
    version: str = Field(min_length=1)
    legally_required_steps: tuple[str, ...] = ()
    profiles: dict[str, Profile] = Field(min_length=1)
    holidays: Holidays = Holidays()
    vulnerable: Vulnerable = Vulnerable()

    @model_validator(mode="after")
    def _default_profile(self) -> "Policy":
        if "default" not in self.profiles:
            object.__setattr__(self, "profiles", {**self.profiles, "default": strictest(self.profiles)})
        return self


class Templates(_Strict):
    dir: str = "templates"
    sms_max_segments: int = Field(default=3, ge=1, le=10)
    banned_phrases: tuple[str, ...] = ()


class Studio(_Strict):
    """The template studio (`loan-comms studio`, templates/README.md): where its drafts, versions and
    published releases live, who may sign in, and how long a session lasts. When `dir` holds a
    published release (its CURRENT file), the daily run reads that release, not `[templates].dir`."""

    dir: str = "data/studio"
    users: str = "config/studio_users.toml"
    host: str = "127.0.0.1"
    port: int = Field(default=8090, ge=0, le=65535)
    session_minutes: int = Field(default=480, ge=5, le=7 * 24 * 60)
    usage_days: int = Field(default=30, ge=1, le=366)
    # Behind a TLS proxy: the address browsers use (https://studio.lender.example). A form's Origin must be
    # it, and an https address sends the session cookie over https only.
    public_url: str | None = Field(default=None, pattern=r"^https?://[^/\s]+$")


class ProviderConfig(BaseModel):
    # Provider-specific keys (from_number, rate_per_second, headers...) are allowed here.
    model_config = ConfigDict(extra="allow", frozen=True)
    kind: Literal["outbox", "twilio", "sendgrid", "webhook"] = "outbox"
    base_url: str | None = None


WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")   # ISO order: mon = 1


class LadderPacing(_Strict):
    """No bursts: at most one escalation step per loan per `min_days_between_steps` local days.
    2 is the tightest spacing of the shipped ladder (dpd_1 -> dpd_3), so a loan that climbs on time
    is never slowed; one that catches up after a pause or a hold is (FCA CONC 7.9: no unreasonable
    frequency; Reg F 1006.14: no harassing frequency)."""

    min_days_between_steps: int = Field(default=2, ge=1, le=60)


class Visits(_Strict):
    """Home visits (ladder steps on channel visit): a prior notice (follow-up visit_notice) at least
    `notice_days` local days before, and only on `working_days` that are not a holiday of the profile
    (FCA CONC 7.9.12-13: a visit needs a clear purpose and adequate notice; China's guidance: visits
    recorded with the collectors present).

    `min_collectors`: the collectors a visit needs (China's guidance: at least two); an outcome that
    names fewer is still recorded (the record must be complete) and the audit's visit_collectors
    rule flags it, as it flags a visit whose outcome was not recorded within `outcome_within_days`
    days of it ("record everything")."""

    notice_days: int = Field(default=7, ge=1, le=60)
    min_collectors: int = Field(default=2, ge=1, le=10)
    outcome_within_days: int = Field(default=2, ge=1, le=30)
    working_days: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = Field(
        default=("mon", "tue", "wed", "thu", "fri"), min_length=1)

    @field_validator("working_days")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        dupes = sorted({d for d in v if v.count(d) > 1})
        if dupes:
            raise ValueError(f"working days repeated: {', '.join(dupes)}")
        return v

    @property
    def working_isodow(self) -> list[int]:
        """The working days as ISO day numbers (mon = 1 .. sun = 7), as SQL's isodow() gives them."""
        return [WEEKDAYS.index(d) + 1 for d in self.working_days]


class Alerts(_Strict):
    webhook_url: str | None = None          # env LOAN_COMMS_ALERT_WEBHOOK_URL wins
    failure_threshold: int = Field(default=100, ge=0)


class Dispatch(_Strict):
    """`batch_size`: contacts per provider batch. `retry_minutes`: on a simulated clock (run-day, the
    demo, the simulator), how long after a pass the day's dispatch passes again for what is still to
    settle (a 429, an unknown send to reconcile); the hourly deployment does this on the wall clock."""

    batch_size: int = Field(default=10_000, ge=1)
    retry_minutes: int = Field(default=15, ge=1, le=240)


class Replies(_Strict):
    """How replies are read: `rules` is the rules file (config/replies.toml), a path relative to
    this lifecycle file (docs/replies.md)."""

    rules: str = Field(default="replies.toml", min_length=1)


class Calls(_Strict):
    """Collector work: `roster` is the roster file (config/agents.toml: teams, routing, agents,
    priority weights; loan_comms/calls/roster.py), a path relative to this lifecycle file. "" = no
    roster: calls are planned and released without agents, slots or a dialer hand-off."""

    roster: str = "agents.toml"


class Experiments(_Strict):
    """Strategy experiments (issue 19): `file` is the experiments file (config/experiments.toml: arms,
    populations, dates, guardrails; loan_comms/experiments/config.py), a path relative to this
    lifecycle file. "" = no experiment runs: every borrower is planned by this config alone."""

    file: str = ""


class LifecycleConfig(_Strict):
    general: General
    reminders: tuple[ReminderStep, ...]
    ladder: tuple[LadderStep, ...] = Field(min_length=1)
    follow_ups: FollowUps = FollowUps()
    ladder_pacing: LadderPacing = LadderPacing()
    visits: Visits = Visits()
    policy: Policy
    templates: Templates = Templates()
    studio: Studio = Studio()
    providers: dict[str, ProviderConfig] = {}
    dispatch: Dispatch = Dispatch()
    alerts: Alerts = Alerts()
    replies: Replies = Replies()
    surveys: Surveys = Surveys()
    arrangements: Arrangements = Arrangements()
    calls: Calls = Calls()
    handoff: Handoff = Handoff()
    experiments: Experiments = Experiments()
    source: str = "<memory>"
    fingerprint: str = ""
    text: str = ""                          # the file as read, kept with the decisions it made

    @model_validator(mode="after")
    def _ladder_order(self) -> "LifecycleConfig":
        steps = [s.step for s in self.reminders] + [s.step for s in self.ladder]
        dupes = sorted({s for s in steps if steps.count(s) > 1})
        if dupes:
            raise ValueError(f"step names must be unique across reminders and ladder; repeated: {', '.join(dupes)}")
        for i in range(1, len(self.ladder)):
            prev, cur = self.ladder[i - 1], self.ladder[i]
            if cur.min_dpd <= prev.min_dpd:
                raise ValueError(
                    f"ladder[{i}].min_dpd: must be greater than ladder[{i - 1}].min_dpd ({prev.min_dpd}); "
                    "list ladder steps in escalation order"
                )
        handoffs = [i for i, s in enumerate(self.ladder) if s.handoff]
        if len(handoffs) > 1:
            raise ValueError(f"ladder[{handoffs[1]}].handoff: only one ladder step may hand the case off "
                             f"(ladder[{handoffs[0]}] already does)")
        if handoffs and handoffs[0] != len(self.ladder) - 1:
            raise ValueError(f"ladder[{handoffs[0]}].handoff: the hand-off must be the last ladder step: after it the "
                             "loan is silent, so a later step could never go")
        known = [*steps, *(name for name, _, _ in self.follow_ups.steps()),
                 *(name for name, _, _ in self.arrangements.steps())]
        clash = sorted({step for step, _ in self.surveys.steps()} & set(known))
        if clash:
            raise ValueError(f"surveys.programmes: template {', '.join(clash)} is also a reminder, ladder step or "
                             "follow-up; a survey's step must be its own")
        for i, step in enumerate(self.policy.legally_required_steps):
            if step not in known:
                raise ValueError(f"policy.legally_required_steps[{i}]: unknown step {step!r}; it must be one of "
                                 f"the reminders, ladder steps or follow-ups: {', '.join(known)}")
        return self

    def profile(self, name: str) -> Profile:
        return self.policy.profiles.get(name) or self.policy.profiles["default"]

    def provider(self, channel: str) -> ProviderConfig:
        """Provider for a channel, environment variables first (LOAN_COMMS_SMS_PROVIDER...)."""
        base = self.providers.get(channel, ProviderConfig())
        env_kind = os.environ.get(f"LOAN_COMMS_{channel.upper()}_PROVIDER")
        env_url = os.environ.get(f"LOAN_COMMS_{channel.upper()}_BASE_URL")
        data = base.model_dump()
        if env_kind:
            data["kind"] = env_kind
        if env_url:
            data["base_url"] = env_url
        try:
            return ProviderConfig(**data)
        except ValidationError as exc:
            raise ConfigError(f"LOAN_COMMS_{channel.upper()}_PROVIDER: {_first_message(exc)}") from None

    @property
    def policy_version(self) -> str:
        """What every decision records: the declared version and the file's own fingerprint, so an
        edit that forgot to bump [policy].version still shows as a different policy."""
        return f"{self.policy.version}@{self.fingerprint}" if self.fingerprint else self.policy.version

    @property
    def handoff_step(self) -> str | None:
        """The ladder step flagged `handoff = true`, or None when no step hands off."""
        return next((s.step for s in self.ladder if s.handoff), None)

    @property
    def steps(self) -> dict[str, ReminderStep | LadderStep]:
        steps: tuple[ReminderStep | LadderStep, ...] = (*self.reminders, *self.ladder)
        return {s.step: s for s in steps}

    def collection_steps(self) -> dict[str, bool]:
        """Every configured step -> whether it is a collection contact: THE definition that the
        gate (cfg_steps.collection) and the audit (audit_steps.collection) both read."""
        return {**{r.step: r.collection for r in self.reminders}, **{s.step: s.collection for s in self.ladder},
                **{step: self.follow_ups.collection(step) for step in FOLLOW_UP_STEPS},
                **{step: False for step, _ in self.surveys.steps()},   # a survey is never collection
                **{step: False for step, _, _ in self.arrangements.steps()}}   # nor a plan's own contacts


def beside_config(cfg: LifecycleConfig, name: str) -> Path:
    """A file the lifecycle config names (the roster, the experiments): absolute as given, else beside
    the lifecycle file, else in the shipped config/ folder (the first that exists; the first candidate
    when none does, so the error names where it was looked for)."""
    path = Path(name)
    if path.is_absolute():
        return path
    candidates = []
    if cfg.source and cfg.source != "<memory>":
        candidates.append(Path(cfg.source).resolve().parent / path)
    candidates.append(CONFIG_PATH.parent / path)
    return next((c for c in candidates if c.exists()), candidates[0])


def _loc(loc: tuple[object, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _first_message(exc: ValidationError) -> str:
    e = exc.errors()[0]
    return f"{_loc(e['loc'])}: {e['msg']}"


def load_config(path: str | Path | None = None) -> LifecycleConfig:
    """Read and validate the lifecycle file; raise ConfigError naming every bad key."""
    path = Path(path or CONFIG_PATH)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        cfg = LifecycleConfig(**data, source=str(path), fingerprint=hashlib.sha256(raw).hexdigest()[:12],
                              text=raw.decode("utf-8"))
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                msg = "unknown key (misspelt? see the comments in the shipped lifecycle.toml)"
            elif e["type"] == "missing":
                msg = "required key is missing"
            lines.append(f"{path}: {_loc(e['loc'])}: {msg}" if e["loc"] else f"{path}: {msg}")
        raise ConfigError("\n".join(lines)) from None
    # The reply rules are part of the configuration: a broken replies.toml stops the start, in one line.
    from loan_comms.understanding.rules import rules_for

    rules_for(cfg)
    # So is the collector roster ([calls].roster): a bad agents.toml is one line at start too.
    from loan_comms.calls.roster import RosterError, roster_for

    try:
        roster_for(cfg)
    except RosterError as exc:
        raise ConfigError(str(exc)) from None
    # And the experiments ([experiments].file): checked against this config (no arm loosens it).
    from loan_comms.experiments.config import ExperimentsError, experiments_for

    try:
        experiments_for(cfg)
    except ExperimentsError as exc:
        raise ConfigError(str(exc)) from None
    return cfg
