"""The collector roster (config/agents.toml): teams, routing rules, agents and the priority weights.

Why data: who calls whom is an operations decision that changes every week (a new hire, a holiday
rota, a team that takes Hong Kong from Monday). A team lead edits this file; it is validated when
any command starts and a mistake is one line naming the key, like the lifecycle file.

  [calls]          slot length, how many dials a released call allows, the priority weights;
  [[teams]]        a team id (e.g. "zh-CN/apac"), and the teams that take its overflow;
  [[routing]]      first match wins: which team takes a call (by language, timezone, jurisdiction,
                   product, channel, step, dpd); a call no rule matches goes to [calls] default_team;
  [[agents]]       id, team, languages, skills (hardship, vulnerable, field), daily capacity (calls,
                   or visits for field agents), shift hours in the agent's own timezone, working days,
                   and for field agents the cities they cover;
  [dialer]         where the day's assigned calls are handed off (none | http | file) and how
                   (loan_comms/calls/dialer.py).

SQL reads it as temp tables (register_roster_tables): cfg_teams, cfg_routing, cfg_agents, and
agent_shifts: each agent's shift on the days around the plan, in UTC.
"""

from __future__ import annotations

import functools
import re
import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from loan_comms import db
from loan_comms.errors import LoanCommsError

if TYPE_CHECKING:  # pragma: no cover
    from loan_comms.config import LifecycleConfig

SKILLS: tuple[str, ...] = ("hardship", "vulnerable", "field")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Skill = Literal["hardship", "vulnerable", "field"]
_ID = r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$"


def team_slug(team: str) -> str:
    """A team id as a file name: 'zh-CN/apac' -> 'zh-CN-apac' (letters, digits, '.', '_', '-'): the
    call-queue export (<slug>.csv / .parquet) and the dialer's drop (<slug>.jsonl). Not injective
    ('zh-CN/apac' and 'zh-CN-apac' give the same): the roster refuses two teams that would share one
    (Roster._refs), and the writers check again (file_names)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", team).strip("-.") or "team"


def agent_slug(name: str) -> str:
    """An agent id, or a pair 'a+b' of them, as part of a file name (the visit sheet of a pair,
    visit-plan-<day>-<a>+<b>.csv): '/' (the one character of an id unsafe in a file name) -> '_'. Not
    injective ('a/b', 'a_b'): the roster refuses two field agents that would share one."""
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", name)


def _collision(ids: Iterable[str], slug: Callable[[str], str]) -> tuple[str, str, str] | None:
    """The first two distinct ids of `ids` whose file names are the same, ignoring case (a file system
    that ignores case, or a partner copying to one, would merge them too), and that name."""
    seen: dict[str, str] = {}
    for i in ids:
        key = slug(i).casefold()
        if key in seen and seen[key] != i:
            return seen[key], i, slug(i)
        seen.setdefault(key, i)
    return None


def file_names(what: str, ids: Iterable[str], slug: Callable[[str], str]) -> dict[str, str]:
    """{file name: id} for the ids a writer is about to give a file each; raises RosterError (one line
    naming both) when two would share one, rather than let one's file replace the other's (ids read
    back from the log may predate the roster's check, e.g. a team renamed in the day)."""
    clash = _collision(ids, slug)
    if clash:
        raise RosterError(f"{what} {clash[0]!r} and {clash[1]!r} would share the file name {clash[2]!r}: one's "
                          "file would replace the other's; rename one in the roster")
    return {slug(i): i for i in ids}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _hhmm(v: str) -> time:
    try:
        return time.fromisoformat(v)
    except (TypeError, ValueError):
        raise ValueError(f"{v!r} is not a local time HH:MM") from None


def _zone(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{v!r} is not an IANA timezone (e.g. Asia/Shanghai)") from None
    return v


def _unique(what: str, values: tuple[str, ...]) -> tuple[str, ...]:
    dupes = sorted({v for v in values if values.count(v) > 1})
    if dupes:
        raise ValueError(f"{what} repeated: {', '.join(dupes)}")
    return values


class Priority(_Strict):
    """The call priority score: a sum of transparent parts, each stored with the call (its reasons).

    dpd_points_per_day * days past due (at most dpd_cap days) + amount_points_per_log10 * log10(1 +
    amount outstanding) + broken_promise_points per broken promise of the loan in the last 90 days +
    repeat_delinquency_points when the loan was delinquent before (an earlier episode) +
    carried_points per day the call was carried already + callback_points when the borrower asked
    for the call; the total is multiplied by vulnerable_factor when the borrower is flagged vulnerable
    (less pressure, never more)."""

    dpd_points_per_day: float = Field(default=0.5, ge=0)
    dpd_cap: int = Field(default=90, ge=1)
    amount_points_per_log10: float = Field(default=4.0, ge=0)
    broken_promise_points: float = Field(default=8.0, ge=0)
    repeat_delinquency_points: float = Field(default=5.0, ge=0)
    carried_points: float = Field(default=6.0, ge=0)
    callback_points: float = Field(default=100.0, ge=0)
    vulnerable_factor: float = Field(default=0.5, gt=0, le=1)


class CallsSettings(_Strict):
    """slot_minutes: how long each call slot is. max_dials_per_call: the most dial attempts the dialer
    may place for one released call (always also bounded by the borrower's calls_per_7_days headroom:
    calls count dial attempts). default_team: the team of a call no routing rule matches.
    visit_minutes: how long a field visit slot is (travel included). carry_alert_days: a call carried
    this many plan days in a row (today's carry included) is named loudly in the call-queue summary
    and its artifact: a ladder that stalls there is a roster to fix (review 16, item 6)."""

    slot_minutes: int = Field(default=10, ge=1, le=240)
    max_dials_per_call: int = Field(default=2, ge=1, le=10)
    default_team: str = Field(pattern=_ID)
    visit_minutes: int = Field(default=90, ge=10, le=480)
    carry_alert_days: int = Field(default=5, ge=1, le=60)
    priority: Priority = Priority()


class Team(_Strict):
    id: str = Field(pattern=_ID)
    overflow_to: tuple[str, ...] = ()         # teams whose agents take this team's calls when it is full


class Route(_Strict):
    """One routing rule: a call matching every listed condition goes to `team` ("*" = any).
    timezones may end with "/*" (e.g. "Asia/*"); jurisdiction is the borrower's policy profile."""

    team: str = Field(pattern=_ID)
    languages: tuple[str, ...] = ("*",)
    timezones: tuple[str, ...] = ("*",)
    jurisdictions: tuple[str, ...] = ("*",)
    products: tuple[str, ...] = ("*",)
    channels: tuple[Literal["*", "call", "visit"], ...] = ("*",)
    steps: tuple[str, ...] = ("*",)
    min_dpd: int = Field(default=0, ge=0)


class Agent(_Strict):
    """One collector. capacity: calls a day (field agents: visits a day, per pair the least of the two).
    shift: local start and end in `timezone` (end after start, same day). working_days: the days they
    work. cities: for field agents, the cities they visit ("*" = any)."""

    id: str = Field(pattern=_ID)
    team: str = Field(pattern=_ID)
    languages: tuple[Literal["zh-CN", "en"], ...] = Field(min_length=1)
    skills: tuple[Skill, ...] = ()
    capacity: int = Field(ge=0, le=1000)
    shift: tuple[str, str]
    timezone: str
    working_days: tuple[Weekday, ...] = Field(default=("mon", "tue", "wed", "thu", "fri"), min_length=1)
    cities: tuple[str, ...] = ("*",)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return _zone(v)

    @field_validator("working_days", "languages", "skills")
    @classmethod
    def _no_repeats(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _unique("values", v)

    @model_validator(mode="after")
    def _shift(self) -> "Agent":
        start, end = _hhmm(self.shift[0]), _hhmm(self.shift[1])
        if end <= start:
            raise ValueError(f"shift: end {self.shift[1]} must be after start {self.shift[0]} (same local day)")
        return self

    @property
    def shift_start(self) -> time:
        return _hhmm(self.shift[0])

    @property
    def shift_end(self) -> time:
        return _hhmm(self.shift[1])


class DialerSettings(_Strict):
    """[dialer]: where the day's assigned calls go (loan_comms/calls/dialer.py, docs/collectors/dialer.md).

    kind: "none" (no hand-off: the exports are the queue), "http" (POST to the dialer's JSON API at
    `url`, env LOAN_COMMS_DIALER_URL wins; bearer token from env LOAN_COMMS_DIALER_TOKEN, else the
    Prefect Secret block `token_block`), "file" (one JSONL per team under `folder`/<plan_date>/,
    default <db dir>/exports/dialer). timeout_seconds: per request. max_tries: tries of a request
    that certainly did not arrive (refused connection, 408, 429) before the pass gives up loudly.
    batch: calls per POST. reconcile_after_seconds: how long a push whose answer was lost waits
    before the dialer's list is asked whether it holds it (never re-sent before that answer)."""

    kind: Literal["none", "http", "file"] = "none"
    url: str = ""
    token_block: str = ""
    timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    max_tries: int = Field(default=3, ge=1, le=10)
    batch: int = Field(default=100, ge=1, le=1000)
    folder: str = ""
    reconcile_after_seconds: int = Field(default=60, ge=0, le=86400)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        v = v.strip()
        if v and not v.startswith(("http://", "https://")):
            raise ValueError(f"{v!r} must start with http:// or https://")
        return v


class Roster(_Strict):
    calls: CallsSettings
    dialer: DialerSettings = DialerSettings()
    teams: tuple[Team, ...] = Field(min_length=1)
    routing: tuple[Route, ...] = ()
    agents: tuple[Agent, ...] = ()
    source: str = "<memory>"

    @model_validator(mode="after")
    def _refs(self) -> "Roster":
        ids = [t.id for t in self.teams]
        _unique("teams[].id", tuple(ids))
        known = set(ids)
        if self.calls.default_team not in known:
            raise ValueError(f"calls.default_team: {self.calls.default_team!r} is not a team id in [[teams]]")
        for i, t in enumerate(self.teams):
            for o in t.overflow_to:
                if o not in known or o == t.id:
                    raise ValueError(f"teams[{i}].overflow_to: {o!r} is not another team id in [[teams]]")
        for i, r in enumerate(self.routing):
            if r.team not in known:
                raise ValueError(f"routing[{i}].team: {r.team!r} is not a team id in [[teams]]")
        agent_ids = [a.id for a in self.agents]
        _unique("agents[].id", tuple(agent_ids))
        for i, a in enumerate(self.agents):
            if a.team not in known:
                raise ValueError(f"agents[{i}].team: {a.team!r} is not a team id in [[teams]]")
        clash = _collision(ids, team_slug)
        if clash:
            raise ValueError(f"teams[].id: {clash[0]!r} and {clash[1]!r} would share the export file name "
                             f"{clash[2]!r} (call queue, dialer drop; case ignored): rename one")
        clash = _collision([a.id for a in self.agents if "field" in a.skills], agent_slug)
        if clash:
            raise ValueError(f"agents[].id: field agents {clash[0]!r} and {clash[1]!r} would share the visit "
                             f"sheet file name {clash[2]!r} (case ignored): rename one")
        return self

    def shifts(self, days: list[date]) -> list[dict[str, object]]:
        """Each agent's shift on each of `days` (the agent's local date) that is a working day, in UTC."""
        out: list[dict[str, object]] = []
        for a in self.agents:
            tz = ZoneInfo(a.timezone)
            for d in days:
                if WEEKDAYS[d.weekday()] not in a.working_days:
                    continue
                start = datetime.combine(d, a.shift_start, tz)
                end = datetime.combine(d, a.shift_end, tz)
                out.append(dict(work_date=d, agent_id=a.id, shift_start=start, shift_end=end))
        return out


class RosterError(LoanCommsError, ValueError):
    """A roster file that cannot be used; the message names the file, key and problem."""

    exit_code = 2


def _loc(loc: tuple[object, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(top level)"


@functools.lru_cache(maxsize=8)
def _load(path: Path, mtime: int) -> Roster:
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path}: not valid TOML: {exc}") from None
    try:
        return Roster(**data, source=str(path))
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                msg = "unknown key (misspelt? see the comments in the shipped agents.toml)"
            elif e["type"] == "missing":
                msg = "required key is missing"
            lines.append(f"{path}: {_loc(e['loc'])}: {msg}" if e["loc"] else f"{path}: {msg}")
        raise RosterError("\n".join(lines)) from None


def load_roster(path: Path | str) -> Roster:
    """The roster of `path`, validated; cached per file (and reloaded when the file changes)."""
    p = Path(path).resolve()
    try:
        mtime = p.stat().st_mtime_ns
    except OSError as exc:
        raise RosterError(f"{p}: cannot read the collector roster ({exc.strerror})") from None
    return _load(p, mtime)


def roster_path(cfg: "LifecycleConfig") -> Path | None:
    """Where the lifecycle config's [calls].roster file is (beside the lifecycle file, else the shipped
    config/ folder); None when [calls].roster is "" (no roster: calls are not assigned to agents)."""
    if not cfg.calls.roster:
        return None
    from loan_comms.config import beside_config

    return beside_config(cfg, cfg.calls.roster)


def roster_for(cfg: "LifecycleConfig") -> Roster | None:
    """The roster the lifecycle config names, or None when it names none."""
    path = roster_path(cfg)
    return load_roster(path) if path is not None else None


def register_roster_tables(con: duckdb.DuckDBPyConnection, roster: Roster, around: date) -> None:
    """Expose the roster to SQL as temp tables:
    cfg_teams (team, overflow_to VARCHAR[]), cfg_routing (rule_no, team, languages, timezones,
    jurisdictions, products, channels, steps as VARCHAR[], min_dpd), cfg_agents (agent_id, team,
    languages, skills, cities as VARCHAR[], capacity, timezone, shift_from, shift_to as local TIME),
    agent_shifts (work_date: the agent's local date, agent_id, shift_start, shift_end: TIMESTAMPTZ)
    for the days around-1 .. around+1 (a borrower's local day overlaps three agent dates at most),
    and cfg_call_settings (one row: slot_minutes, max_dials_per_call, default_team, visit_minutes)."""
    s = pa.string()
    strs = pa.list_(pa.string())
    tables = {
        "cfg_teams": pa.Table.from_pylist(
            [dict(team=t.id, overflow_to=list(t.overflow_to)) for t in roster.teams],
            schema=pa.schema([("team", s), ("overflow_to", strs)])),
        "cfg_routing": pa.Table.from_pylist(
            [dict(rule_no=i, team=r.team, languages=list(r.languages), timezones=list(r.timezones),
                  jurisdictions=list(r.jurisdictions), products=list(r.products), channels=list(r.channels),
                  steps=list(r.steps), min_dpd=r.min_dpd) for i, r in enumerate(roster.routing)],
            schema=pa.schema([("rule_no", pa.int32()), ("team", s), ("languages", strs), ("timezones", strs),
                              ("jurisdictions", strs), ("products", strs), ("channels", strs), ("steps", strs),
                              ("min_dpd", pa.int32())])),
        "cfg_agents": pa.Table.from_pylist(
            [dict(agent_id=a.id, team=a.team, languages=list(a.languages), skills=list(a.skills),
                  cities=list(a.cities), capacity=a.capacity, timezone=a.timezone,
                  shift_from=a.shift_start, shift_to=a.shift_end) for a in roster.agents],
            schema=pa.schema([("agent_id", s), ("team", s), ("languages", strs), ("skills", strs),
                              ("cities", strs), ("capacity", pa.int32()), ("timezone", s),
                              ("shift_from", pa.time64("us")), ("shift_to", pa.time64("us"))])),
        "agent_shifts": pa.Table.from_pylist(
            roster.shifts([around - timedelta(days=1), around, around + timedelta(days=1)]),
            schema=pa.schema([("work_date", pa.date32()), ("agent_id", s),
                              ("shift_start", pa.timestamp("us", tz="UTC")),
                              ("shift_end", pa.timestamp("us", tz="UTC"))])),
        "cfg_call_settings": pa.Table.from_pylist(
            [dict(slot_minutes=roster.calls.slot_minutes, max_dials_per_call=roster.calls.max_dials_per_call,
                  default_team=roster.calls.default_team, visit_minutes=roster.calls.visit_minutes)],
            schema=pa.schema([("slot_minutes", pa.int32()), ("max_dials_per_call", pa.int32()),
                              ("default_team", s), ("visit_minutes", pa.int32())])),
        "cfg_call_priority": pa.Table.from_pylist([roster.calls.priority.model_dump()]),
    }
    for name, table in tables.items():
        db.temp_table(con, name, table)


__all__ = ["Agent", "CallsSettings", "Priority", "Roster", "RosterError", "Route", "SKILLS", "Team",
           "load_roster", "register_roster_tables", "roster_for", "roster_path"]
