"""The compliance audit: an independent reading of the contact log against the contact policy.

It deliberately shares no code with the planner or the policy engine: it reads only
`contact_attempts`, `borrower_events`, `borrowers`, `borrower_contact_points`, `loans`,
`installments`, `outbox_messages`, `arrangement_loans` (the loans a plan covers), `agent_days`,
`call_assignments`, `call_assignment_changes` (the terms a call had before dispatch changed them) and `visit_assignments` (the collectors' shifts and the calls and visits given to them, issue 16),
`handoffs` (the cases handed to the partner), `template_versions` (who wrote and approved each wording, issue 18) and the config file (and, for reply_opt_outs_honoured, the
reply classifier `loan_comms.understanding`, which reads every stored reply text again), and each rule is one plain SQL file in `sql/audit/` that an auditor can read on
its own. A rule file builds `audit_rows`: one row per contact the rule applies to, with a
`violation` column that says what is wrong (NULL when nothing is). This module only puts the
config into temp tables, runs the files in order and counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from typing import Any

import duckdb
import holidays as holiday_calendars
import phonenumbers
import pyarrow as pa
from phonenumbers import timezone as phone_timezone

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.errors import LoanCommsError
from loan_comms.paths import SQL_DIR
from loan_comms.understanding import Intent, rules_for, understand

# Run order = print order. Each name is the file sql/audit/<name>.sql.
RULES: tuple[str, ...] = (
    "quiet_hours",
    "sent_within_own_window",
    "calls_per_7_days",
    "call_cooldown_after_conversation",
    "dial_times",
    "reached_calls_per_day",
    "sms_per_day",
    "sms_per_7_days",
    "email_per_day",
    "contacts_per_day",
    "opt_out_honoured",
    "cease_contact_honoured",
    "dispute_pause",
    "hardship_pause",
    "promise_pause",
    "holidays",
    "paid_means_stop",
    "third_parties",
    "nothing_lost",
    "ladder_order",
    "forbearance_before_escalation",
    # issue 11, engineer C: the standing restrictions of loan_comms/policy/kinds.py
    "deceased_no_contact",
    "bankruptcy_honoured",
    "breathing_space_honoured",
    "attorney_only",
    "complaint_pause",
    "quiet_hours_every_zone",
    "vulnerable_limits",
    "preferences_honoured",
    "wrong_number_honoured",
    "places_avoided",
    "ladder_pacing",
    "visit_notice",
    "visit_working_days",
    # issue 19's 90-day run: one home visit per borrower per local day, whatever the loans
    "visits_per_day",
    # follow-up V: a visit recorded in full (collectors present, outcome in time)
    "visit_collectors",
    # issue 16, part D: every visit slot inside the window, both shifts, a working day; the assigned pair went
    "visit_slot_window",
    "visit_pair",
    # issue 16 follow-up: no visit notice for a visit no pair of field agents could make (no_field_pair)
    "visit_notice_no_pair",
    # issue 12: every SMS / e-mail reply read again by the classifier (audit_reply_meanings)
    "reply_opt_outs_honoured",
    # issue 13: by the providers' own receipts, no contact reached the borrower twice
    "sent_once",
    # issue 14: surveys at most once per fatigue window, never to a borrower in complaint or dispute
    # or after a cease-contact request, and never taking the last contact a cap allowed
    "survey_fatigue",
    "survey_restrictions",
    "survey_headroom",
    # issue 15: no ladder while a repayment plan runs; after a break, a re-offer first, then the next step
    "arrangement_no_escalation",
    # issue 15 follow-up: what else a plan holds (its request while it waits; reminders, offers)
    "arrangement_holds",
    "reoffer_before_resume",
    "arrangement_no_jump",
    # issue 15 review: no plan reminder or missed-payment contact about a covered installment or an ended plan
    "plan_contact_after_covered",
    # issue 16: calls given to agents inside both windows, within capacity, to the right person
    "call_slot_window",
    "agent_capacity",
    "call_agent_fit",
    # issue 16, part E: nothing about a loan after it was handed to the partner (until recalled)
    "handed_off_no_contact",
    # issue 16, part C: the dialer placed only the dials each assigned call allowed, by a rostered agent on shift
    "dial_attempts",
    # issue 16 review: no dial on a call never released, withdrawn by the policy or cancelled at the dialer
    "dial_after_withdrawal",
    # issue 18: every wording that went out is in the registry of template versions, and no studio
    # wording was approved by its own author
    "template_versions_approved",
    # issue 19: every contact of an experiment's borrower under the arm their draw gives, only while it ran
    "experiment_arm_honoured",
)


class AuditError(LoanCommsError, RuntimeError):
    """The audit could not judge the log (bad data the SQL cannot read); names the rule."""

    exit_code = 2


@dataclass(frozen=True)
class RuleResult:
    """One rule's verdict: how many contacts it applied to, how many broke it, the first few.

    `unseen` / `unseen_note`: contacts the rule applies to but cannot judge from the evidence it
    reads (a rule's blind spot, sql/audit/_<rule>_unseen.sql when it has one, e.g. sent_once and
    contacts without any provider receipt). They do not change the verdict: a clean result says
    nothing about them, and the report says so rather than let "ok" speak for them."""

    name: str
    question: str
    checked: int
    violations: int
    rows: tuple[dict[str, Any], ...] = ()
    unseen: int = 0
    unseen_note: str = ""

    @property
    def ok(self) -> bool:
        return self.violations == 0

    def __str__(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        line = f"{mark} {self.name:<34} checked {self.checked:>10,} contacts, {self.violations:>8,} violations"
        return line + (f", {self.unseen:,} unseen" if self.unseen else "")

    @property
    def blind_spot(self) -> str:
        """'<n> <what could not be checked>' when the rule has unseen contacts, else ''."""
        return f"{self.unseen:,} {self.unseen_note}" if self.unseen else ""


@dataclass(frozen=True)
class AuditReport:
    """Every rule's result, as of the instant the log was judged."""

    as_of: datetime
    policy_version: str
    rules: tuple[RuleResult, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rules)

    @property
    def violations(self) -> int:
        return sum(r.violations for r in self.rules)

    @property
    def unexercised(self) -> tuple[str, ...]:
        """Rules that found nothing to check: a clean result from them proves nothing."""
        return tuple(r.name for r in self.rules if r.checked == 0)

    def rule(self, name: str) -> RuleResult:
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(f"no audit rule named {name!r}; rules: {', '.join(RULES)}")

    def __str__(self) -> str:
        return "\n".join(str(r) for r in self.rules)


def _question(name: str, stop: str = "Checked:") -> str:
    """The rule's plain-words question: its header comment up to "Checked:", without the name.
    (A blind-spot file's header up to its first full stop, `stop` = ".": what it counts.)"""
    words: list[str] = []
    for line in db.sql(f"audit/{name}").splitlines():
        if not line.startswith("--") or line.removeprefix("--").strip().startswith(stop):
            break
        words.append(line.removeprefix("--").strip())
    text = " ".join(words)
    text = text.split(":", 1)[1].strip() if text.startswith(f"{name}:") else text
    return text.split(". ", 1)[0].rstrip(".") if stop == "." else text


def _blind_spot(con: duckdb.DuckDBPyConnection, name: str) -> tuple[int, str]:
    """(unseen, note) from sql/audit/_<name>_unseen.sql when the rule has one, else (0, "")."""
    spot = f"_{name}_unseen"
    if not (SQL_DIR / "audit" / f"{spot}.sql").exists():
        return 0, ""
    ((unseen,),) = db.run(con, f"audit/{spot}").fetchall()
    return int(unseen), _question(spot, stop=".")


def _holiday_rows(cfg: LifecycleConfig, years: list[int]) -> list[dict[str, Any]]:
    extra = {date.fromisoformat(d): "extra date in policy.holidays" for d in cfg.policy.holidays.extra_dates}
    rows: list[dict[str, Any]] = []
    for profile, prof in cfg.policy.profiles.items():
        names: dict[date, list[str]] = {d: [n] for d, n in extra.items()}
        for cal in prof.holiday_calendars:
            try:
                days = holiday_calendars.country_holidays(cal, years=years)
            except NotImplementedError:
                raise AuditError(f"policy.profiles.{profile}.holiday_calendars: no holiday calendar {cal!r}") from None
            for d, n in days.items():
                names.setdefault(d, []).append(f"{cal}: {n}")
        rows += [dict(profile=profile, day=d, name="; ".join(ns)) for d, ns in sorted(names.items())]
    return rows


def register_config(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, years: list[int]) -> None:
    """Put the policy the log is judged against into temp tables the rule files read.

    audit_profiles (one row per profile, 'default' included), audit_holidays (profile, day, name),
    audit_ladder (step, rank in config order, min_dpd), audit_legal_steps (step), audit_steps (step,
    collection: the config's flag, the same one the gate reads), audit_visits (one row: notice_days,
    working_days as ISO day numbers, mon = 1, computed here, not by the planner's config helper,
    min_collectors, outcome_within_days), audit_surveys (one row: fatigue_days), audit_handoff_steps
    (step: the ladder step flagged handoff = true, read from the config here).
    """
    profiles = [
        dict(profile=name, window_start=p.window_start, window_end=p.window_end,
             calls_per_7_days=p.calls_per_7_days, reached_calls_per_day=p.reached_calls_per_day,
             call_cooldown_days=p.call_cooldown_days_after_conversation, sms_per_day=p.sms_per_day,
             sms_per_7_days=p.sms_per_7_days, email_per_day=p.email_per_day,
             contacts_per_day=p.contacts_per_day, forbearance=p.forbearance_before_escalation)
        for name, p in cfg.policy.profiles.items()
    ]
    db.temp_table(con, "audit_profiles", pa.Table.from_pylist(profiles, schema=pa.schema([
        ("profile", pa.string()), ("window_start", pa.time64("us")), ("window_end", pa.time64("us")),
        ("calls_per_7_days", pa.int32()), ("reached_calls_per_day", pa.int32()),
        ("call_cooldown_days", pa.int32()), ("sms_per_day", pa.int32()), ("sms_per_7_days", pa.int32()),
        ("email_per_day", pa.int32()), ("contacts_per_day", pa.int32()), ("forbearance", pa.bool_())])))
    db.temp_table(con, "audit_holidays", pa.Table.from_pylist(_holiday_rows(cfg, years), schema=pa.schema([
        ("profile", pa.string()), ("day", pa.date32()), ("name", pa.string())])))
    db.temp_table(con, "audit_ladder", pa.Table.from_pylist(
        [dict(step=s.step, rank=i, min_dpd=s.min_dpd) for i, s in enumerate(cfg.ladder, start=1)],
        schema=pa.schema([("step", pa.string()), ("rank", pa.int32()), ("min_dpd", pa.int32())])))
    db.temp_table(con, "audit_visits", pa.Table.from_pylist(
        [dict(notice_days=cfg.visits.notice_days,
              working_days=[("mon", "tue", "wed", "thu", "fri", "sat", "sun").index(d) + 1
                            for d in cfg.visits.working_days],
              min_collectors=cfg.visits.min_collectors, outcome_within_days=cfg.visits.outcome_within_days)],
        schema=pa.schema([("notice_days", pa.int32()), ("working_days", pa.list_(pa.int32())),
                          ("min_collectors", pa.int32()), ("outcome_within_days", pa.int32())])))
    db.temp_table(con, "audit_legal_steps", pa.Table.from_pylist(
        [dict(step=s) for s in cfg.policy.legally_required_steps], schema=pa.schema([("step", pa.string())])))
    db.temp_table(con, "audit_steps", pa.Table.from_pylist(
        [dict(step=s, collection=c) for s, c in cfg.collection_steps().items()],
        schema=pa.schema([("step", pa.string()), ("collection", pa.bool_())])))
    db.temp_table(con, "audit_surveys", pa.Table.from_pylist(
        [dict(fatigue_days=cfg.surveys.fatigue_days)], schema=pa.schema([("fatigue_days", pa.int32())])))
    db.temp_table(con, "audit_handoff_steps", pa.Table.from_pylist(
        [dict(step=s.step) for s in cfg.ladder if s.handoff], schema=pa.schema([("step", pa.string())])))
    _register_experiments(con, cfg)


def _register_experiments(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig) -> None:
    """The experiments as each plan day ran them, read from the book (experiment_days, experiment_versions:
    recorded by the plan), not from today's experiments file: a share ramped, an end moved or an arm
    dropped later changes nothing about how an earlier day is judged, and a book audited without the
    file that made it is judged right. Builds, per version: audit_experiment_versions (version,
    experiment, salt), audit_experiment_arms (version, arm, lo, hi: the arm's share of the draw,
    cumulative in the file's order), audit_arm_steps (version, arm, purpose, step, channel: what a
    challenger proposes, from the config's ladder and reminders and the arm's changes, computed here,
    not by the planner's code) and audit_arm_skips (version, arm, step: the ladder steps it skips);
    and audit_experiment_days (day, experiment, version). Rules experiment_arm_honoured, ladder_order."""
    from loan_comms.experiments.config import Experiment

    versions, arms, steps, skips = [], [], [], []
    for version, text in con.execute("SELECT version, definition::VARCHAR FROM experiment_versions").fetchall():
        e = Experiment.model_validate_json(text)
        versions.append(dict(version=version, experiment=e.name, salt=e.salt or e.name))
        total = 0.0
        for i, a in enumerate(e.arms):
            hi = 2.0 if i == len(e.arms) - 1 else total + a.share
            arms.append(dict(version=version, arm=a.name, lo=total, hi=hi))
            total = hi
            if i == 0:
                continue
            skips += [dict(version=version, arm=a.name, step=st) for st in a.skip_steps]
            for r in cfg.reminders:
                if r.step not in a.skip_reminders:
                    steps += [dict(version=version, arm=a.name, purpose="reminder", step=r.step, channel=ch)
                              for ch in a.channels.get(r.step, r.channels)]
            for ls in cfg.ladder:
                if ls.step not in a.skip_steps:
                    steps += [dict(version=version, arm=a.name, purpose="escalation", step=ls.step, channel=ch)
                              for ch in a.channels.get(ls.step, ls.channels)]
    s = pa.string()
    db.temp_table(con, "audit_experiment_versions", pa.Table.from_pylist(versions, schema=pa.schema([
        ("version", s), ("experiment", s), ("salt", s)])))
    db.temp_table(con, "audit_experiment_arms", pa.Table.from_pylist(arms, schema=pa.schema([
        ("version", s), ("arm", s), ("lo", pa.float64()), ("hi", pa.float64())])))
    db.temp_table(con, "audit_arm_steps", pa.Table.from_pylist(steps, schema=pa.schema([
        ("version", s), ("arm", s), ("purpose", s), ("step", s), ("channel", s)])))
    db.temp_table(con, "audit_arm_skips", pa.Table.from_pylist(skips, schema=pa.schema([
        ("version", s), ("arm", s), ("step", s)])))
    con.execute("CREATE OR REPLACE TEMP TABLE audit_experiment_days AS SELECT day, experiment, version FROM experiment_days")


def _phone_zone_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """(phone, zone, region) of every borrower's phone (the borrower row's and their other phone
    contact points, read from the tables, not the planner's views), looked up here with `phonenumbers` (the
    same public numbering-plan data the planner uses, not the planner's code or SQL)."""
    rows: list[dict[str, Any]] = []
    phones = con.execute("SELECT phone_e164 FROM borrowers WHERE phone_e164 IS NOT NULL "
                         "UNION SELECT address FROM borrower_contact_points WHERE kind = 'phone'").fetchall()
    for (phone,) in phones:
        try:
            number = phonenumbers.parse(phone, None)
        except phonenumbers.NumberParseException:
            continue
        code = phonenumbers.region_code_for_country_code(number.country_code or 0)  # +44 -> GB, +1 -> US
        region: str | None = code if code not in ("ZZ", "001") else None
        zones: list[str | None] = [z for z in phone_timezone.time_zones_for_number(number) if z != "Etc/Unknown"]
        zones = zones or [None]
        rows += [dict(phone=phone, zone=z, region=region) for z in zones]
    return rows


def register_person(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig) -> None:
    """Where each person may be and what limits hold for them, for the rules that judge it:
    audit_phone_zones (phone, zone, region), audit_profile_zones (profile, zone),
    audit_profile_countries (profile, region), audit_vulnerable (one row: [policy.vulnerable])."""
    text = pa.string()
    db.temp_table(con, "audit_phone_zones", pa.Table.from_pylist(_phone_zone_rows(con), schema=pa.schema([
        ("phone", text), ("zone", text), ("region", text)])))
    db.temp_table(con, "audit_profile_zones", pa.Table.from_pylist(
        [dict(profile=n, zone=z) for n, p in cfg.policy.profiles.items() for z in p.timezones],
        schema=pa.schema([("profile", text), ("zone", text)])))
    db.temp_table(con, "audit_profile_countries", pa.Table.from_pylist(
        [dict(profile=n, region=c) for n, p in cfg.policy.profiles.items() for c in p.countries],
        schema=pa.schema([("profile", text), ("region", text)])))
    db.temp_table(con, "audit_vulnerable", pa.Table.from_pylist([cfg.policy.vulnerable.model_dump()]))


REPLY_KINDS: tuple[str, ...] = ("sms_reply", "email_reply")

_MEANINGS_SCHEMA = pa.schema([
    ("external_id", pa.string()), ("borrower_id", pa.string()), ("contact_point", pa.string()),
    ("channel", pa.string()), ("occurred_at", pa.timestamp("us", tz="UTC")),
    ("opt_out_channels", pa.list_(pa.string())), ("opt_in_channels", pa.list_(pa.string())),
    ("in_review", pa.bool_()), ("review_deadline", pa.timestamp("us", tz="UTC")),
    ("review_channels", pa.list_(pa.string()))])


def business_deadline(received: datetime, business_days: int, zone: str | None = None) -> datetime:
    """`received` plus `business_days` days Monday to Friday counted in the borrower's zone (`zone`;
    UTC when unknown), the same local time of day: the audit's own reading of [review]
    deadline_business_days (a reply on a Saturday and 2 days: Tuesday, same hour; a Friday evening
    in Los Angeles is a Friday there, though Saturday in UTC)."""
    try:
        tz: tzinfo = ZoneInfo(zone) if zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        tz = UTC
    local = received.astimezone(tz)
    day, left = local.date(), business_days
    while left > 0:
        day += timedelta(days=1)
        if day.isoweekday() <= 5:
            left -= 1
    return datetime.combine(day, local.time(), tzinfo=tz).astimezone(UTC)


def _channels(intent: Intent, came_on: str, all_channels: tuple[str, ...]) -> list[str]:
    if intent.channels:
        return list(intent.channels)
    return list(all_channels) if intent.scope == "all" else [came_on]


def register_reply_meanings(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig) -> None:
    """audit_reply_meanings: every stored SMS / e-mail reply text classified AGAIN, now, with
    `understand()` and the rules the config names, whatever was recorded from it at the time (the
    planner read the recorded events; the audit reads the words): external_id, borrower_id,
    contact_point (the point it came from), channel (the one it came on), occurred_at,
    opt_out_channels / opt_in_channels (clear intents only), in_review (an uncertain reading: the
    review queue), review_deadline (occurred_at + [review] deadline_business_days, Mon-Fri in the
    borrower's zone) and review_channels (what the uncertain reading may be about: the channel it
    came on plus its candidates' channels, computed here, not read from the recorded item).
    Only the meanings are kept: no text leaves this function (PII)."""
    rules = rules_for(cfg)
    replies = db.run(con, "audit/_replies", {"kinds": list(REPLY_KINDS)}).fetchall()
    rows: list[dict[str, Any]] = []
    for external_id, borrower_id, point, channel, occurred_at, text, zone in replies:
        received = occurred_at.astimezone(UTC)
        u = understand(text or "", channel=channel, received_at=received, timezone=zone, rules=rules)
        rows.append(dict(
            external_id=external_id, borrower_id=borrower_id, contact_point=point, channel=channel,
            occurred_at=received,
            opt_out_channels=sorted({c for i in u.intents if i.name == "opt_out"
                                     for c in _channels(i, channel, rules.all_channels)}),
            opt_in_channels=sorted({c for i in u.intents if i.name == "opt_in"
                                    for c in _channels(i, channel, rules.all_channels)}),
            in_review=bool(u.review),
            review_deadline=business_deadline(received, rules.deadline_business_days, zone),
            review_channels=sorted({channel, *(c for i in u.review
                                               for c in _channels(i, channel, rules.all_channels))})
            if u.review else []))
    db.temp_table(con, "audit_reply_meanings", pa.Table.from_pylist(rows, schema=_MEANINGS_SCHEMA))


def _years(con: duckdb.DuckDBPyConnection) -> list[int]:
    ((first, last),) = db.run(con, "audit/_years").fetchall()
    if first is None:
        return [datetime.now(UTC).year]
    return list(range(int(first) - 1, int(last) + 2))


def default_as_of(con: duckdb.DuckDBPyConnection) -> datetime:
    """The last moment the system acted on the log (latest updated_at or sent_at); now if empty."""
    ((last,),) = db.run(con, "audit/_last_activity").fetchall()
    return last if last is not None else datetime.now(UTC)


def run_rule(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any], show: int) -> RuleResult:
    """Run one rule file and count; the config tables and audit_contacts must exist."""
    try:
        db.run(con, f"audit/{name}", params)
        ((checked, violations),) = db.run(con, "audit/_summary").fetchall()
        rows = db.rows(con, "audit/_violations", {"show": show}) if violations and show > 0 else []
        unseen, note = _blind_spot(con, name)
    except duckdb.Error as exc:
        raise AuditError(f"audit rule {name} (sql/audit/{name}.sql) could not read the log: {exc}") from exc
    return RuleResult(name=name, question=_question(name), checked=int(checked), violations=int(violations),
                      rows=tuple(rows), unseen=unseen, unseen_note=note)


def run_audit(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, *, now: datetime | None = None,
              show: int = 5, rules: tuple[str, ...] = RULES, keep_tables: bool = False) -> AuditReport:
    """Judge the whole contact history against every rule of `cfg`; nothing in the log is changed.

    `now` is the instant the log is judged at (only "nothing lost" depends on it: planned rows
    whose window closed before it should have been resolved). It defaults to the last moment the
    system acted on the log, so an old simulated database is judged as it was left.
    `keep_tables` leaves audit_contacts and the last rule's audit_rows in the session to inspect.
    """
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise AuditError(f"unknown audit rule(s) {', '.join(unknown)}; rules: {', '.join(RULES)}")
    if now is not None and now.tzinfo is None:
        raise AuditError("run_audit: `now` must be timezone-aware (UTC), got a naive datetime")
    as_of = now or default_as_of(con)
    register_config(con, cfg, _years(con))
    register_person(con, cfg)
    if "reply_opt_outs_honoured" in rules:
        register_reply_meanings(con, cfg)
    try:
        db.run(con, "audit/_contacts")
        db.run(con, "audit/_person")
    except duckdb.Error as exc:
        raise AuditError(f"audit could not read contact_attempts/borrowers (sql/audit/_contacts.sql): {exc}") from exc
    params = {"now": as_of, "hardship_pause_days": cfg.follow_ups.hardship_pause_days,
              "min_days_between_steps": cfg.ladder_pacing.min_days_between_steps}
    try:
        results = tuple(run_rule(con, name, params, show) for name in rules)
    finally:
        if not keep_tables:
            db.run(con, "audit/_drop")
    return AuditReport(as_of=as_of, policy_version=cfg.policy_version, rules=results)
