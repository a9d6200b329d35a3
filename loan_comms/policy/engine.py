"""The contact policy: config as SQL tables, state as of an instant, and the re-check before send.

The rules themselves are SQL (`sql/policy/rules/`, one file per reason, ordered by
`catalog.GATE_RULES`, for opt-outs, pauses, holidays, cooldowns and "paid"; `sql/policy/decide.sql`
adds the caps): one place that planning and dispatch both use.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping

import duckdb
import holidays as holiday_calendars
import pyarrow as pa

from loan_comms import db
from loan_comms.arrangements.options import register_tables as register_arrangement_tables
from loan_comms.calls.roster import roster_for
from loan_comms.config import LifecycleConfig
from loan_comms.handoff.state import register_tables as register_handoff_tables
from loan_comms.policy import gate


def step_rows(cfg: LifecycleConfig) -> list[dict[str, Any]]:
    """Every (step, channel) the lifecycle can plan, with its purpose, order and severity."""
    rows: list[dict[str, Any]] = []
    for r in cfg.reminders:
        rows += [dict(step=r.step, purpose="reminder", rank=0, min_dpd=None, days_before_due=r.days_before_due,
                      severity=0, channel=ch) for ch in r.channels]
    for rank, s in enumerate(cfg.ladder, start=1):
        rows += [dict(step=s.step, purpose="escalation", rank=rank, min_dpd=s.min_dpd, days_before_due=None,
                      severity=s.severity, channel=ch) for ch in s.channels]
    for step, channels, severity in cfg.follow_ups.steps():
        rows += [dict(step=step, purpose="follow_up", rank=0, min_dpd=None, days_before_due=None,
                      severity=severity, channel=ch) for ch in channels]
    for step, channels, severity in cfg.arrangements.steps():   # a plan's own contacts (arrangements/config.py)
        rows += [dict(step=step, purpose="follow_up", rank=0, min_dpd=None, days_before_due=None,
                      severity=severity, channel=ch) for ch in channels]
    for step, channels in cfg.surveys.steps():
        rows += [dict(step=step, purpose="survey", rank=0, min_dpd=None, days_before_due=None,
                      severity=cfg.surveys.severity, channel=ch) for ch in channels]
    collection = cfg.collection_steps()
    return [{**row, "collection": collection[row["step"]]} for row in rows]


def _holiday_rows(cfg: LifecycleConfig, years: range) -> list[dict[str, Any]]:
    rows = []
    extra = [date.fromisoformat(d) for d in cfg.policy.holidays.extra_dates]
    for name, prof in cfg.policy.profiles.items():
        days: set[date] = set(extra)
        for cal in prof.holiday_calendars:
            days |= set(holiday_calendars.country_holidays(cal, years=list(years)).keys())
        rows += [dict(profile=name, day=d) for d in sorted(days)]
    return rows


def register_policy_tables(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, around: date) -> None:
    """Expose the config to SQL as temp tables cfg_steps, cfg_profiles, cfg_holidays, cfg_legal,
    cfg_visits (one row: notice_days, working_days as ISO day numbers, mon = 1, field_pairs: whether
    visits go to pairs of field agents, i.e. [calls] roster names a roster), cfg_field_agents (the
    roster's agents with skill 'field': agent_id, languages, cities; empty without a roster), read
    by the gate rule no_field_pair, and for where the
    person is: cfg_profile_zones (profile, zone), cfg_profile_countries (profile, region) and
    cfg_vulnerable (one row: the vulnerable limits), and cfg_surveys (one row: fatigue_days,
    answer_days) for the survey rules, the repayment plans' options and day counts
    (cfg_arrangement_options, cfg_arrangement_profiles, cfg_arrangements: loan_comms/arrangements/options.py),
    and cfg_handoff (the hand-off step, its partner: loan_comms/handoff/state.py)."""
    years = range(around.year - 1, around.year + 2)
    roster = roster_for(cfg)   # the field agents: who could ever make a home visit (gate rule no_field_pair)
    profiles = [
        dict(profile=name, window_start=p.window_start, window_end=p.window_end,
             calls_per_7_days=p.calls_per_7_days, reached_calls_per_day=p.reached_calls_per_day,
             call_cooldown_days=p.call_cooldown_days_after_conversation, sms_per_day=p.sms_per_day,
             sms_per_7_days=p.sms_per_7_days, email_per_day=p.email_per_day, contacts_per_day=p.contacts_per_day,
             forbearance=p.forbearance_before_escalation)
        for name, p in cfg.policy.profiles.items()
    ]
    tables = {
        "cfg_steps": pa.Table.from_pylist(step_rows(cfg), schema=pa.schema([
            ("step", pa.string()), ("purpose", pa.string()), ("rank", pa.int32()), ("min_dpd", pa.int32()),
            ("days_before_due", pa.int32()), ("severity", pa.int32()), ("channel", pa.string()),
            ("collection", pa.bool_())])),
        "cfg_profiles": pa.Table.from_pylist(profiles),
        "cfg_holidays": pa.Table.from_pylist(_holiday_rows(cfg, years),
                                             schema=pa.schema([("profile", pa.string()), ("day", pa.date32())])),
        "cfg_legal": pa.Table.from_pylist([dict(step=s) for s in cfg.policy.legally_required_steps],
                                          schema=pa.schema([("step", pa.string())])),
        "cfg_profile_zones": pa.Table.from_pylist(
            [dict(profile=name, zone=z) for name, p in cfg.policy.profiles.items() for z in p.timezones],
            schema=pa.schema([("profile", pa.string()), ("zone", pa.string())])),
        "cfg_profile_countries": pa.Table.from_pylist(
            [dict(profile=name, region=c) for name, p in cfg.policy.profiles.items() for c in p.countries],
            schema=pa.schema([("profile", pa.string()), ("region", pa.string())])),
        "cfg_vulnerable": pa.Table.from_pylist([cfg.policy.vulnerable.model_dump()]),
        "cfg_visits": pa.Table.from_pylist(
            [dict(notice_days=cfg.visits.notice_days, working_days=cfg.visits.working_isodow,
                  field_pairs=roster is not None)],
            schema=pa.schema([("notice_days", pa.int32()), ("working_days", pa.list_(pa.int32())),
                              ("field_pairs", pa.bool_())])),
        "cfg_field_agents": pa.Table.from_pylist(
            [dict(agent_id=a.id, languages=list(a.languages), cities=list(a.cities))
             for a in (roster.agents if roster is not None else ()) if "field" in a.skills],
            schema=pa.schema([("agent_id", pa.string()), ("languages", pa.list_(pa.string())),
                              ("cities", pa.list_(pa.string()))])),
        "cfg_surveys": pa.Table.from_pylist(
            [dict(fatigue_days=cfg.surveys.fatigue_days, answer_days=cfg.surveys.answer_days)],
            schema=pa.schema([("fatigue_days", pa.int32()), ("answer_days", pa.int32())])),
    }
    for name, table in tables.items():
        db.temp_table(con, name, table)
    register_arrangement_tables(con, cfg)
    register_handoff_tables(con, cfg)   # cfg_handoff: the hand-off step and its partner


def derive_state(con: duckdb.DuckDBPyConnection, as_of: date, now: datetime, *, pending_only: bool = False,
                 day: date | None = None) -> None:
    """Derive installment, loan, contact-flag and contact-point state as of `now` into temp tables;
    writes nothing.

    Payments that arrived in the feed by `now` count whether or not they are recorded as events
    yet (payment_events), so a day can be decided before anything is written.
    Incremental: the installment state stored by the last recorded day (state_installments,
    state_loans; see store_state) stands for every loan whose payments, repayment plan and schedule
    have not changed since (sql/lifecycle/state/stale_loans.sql); only the others are derived from
    their payments (derived_installments), and installment_state is a view over both. A `now` before
    the stored state (an older day replayed), or no stored state yet, derives the whole book
    (state_basis.whole_book): the same answer either way, for any day.
    pending_only limits installment state to loans with a planned contact whose window has opened
    (of local day `day` when given): all the re-check before send needs, and a fraction of the book.
    """
    params = {"as_of": as_of, "now": now, "pending_only": pending_only, "day": day}
    view = "lifecycle/state/pending_installment_state" if pending_only else "lifecycle/state/installment_state"
    # The plans' state comes before installment_state: a kept plan settles its loans' installments.
    for name in ("lifecycle/state/unrecorded_payments", "lifecycle/state/payment_events", "lifecycle/state/pending_scope",
                 "arrangements/plan_installments", "arrangements/state", "lifecycle/state/kept_loans",
                 "lifecycle/state/state_basis", "lifecycle/state/stale_loans", "lifecycle/state/derived_installments",
                 view, "lifecycle/state/loan_state", "lifecycle/state/review_items",
                 "lifecycle/state/borrower_flags", "lifecycle/state/loan_flags", "lifecycle/state/point_flags",
                 "lifecycle/state/point_routes",
                 "handoff/state"):   # the loans handed to the partner (gate rule handed_off)
        db.run(con, name, params)


def store_state(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """Keep the installment state derive_state just derived for the whole book (state_installments,
    state_loans, state_watermark), so the next day derives only the loans that changed.

    Record's transaction calls it after record_payments (the watermark counts the payments recorded
    there) and only the plan's derivation is stored: never the re-check's (a part of the book),
    never a `now` before the stored one (state_basis.store), so re-running a day changes nothing.
    """
    params = {"now": now}
    for name in ("forget_stale_installments", "store_installments", "forget_stale_loans", "store_loans",
                 "store_watermark"):
        db.run(con, f"lifecycle/state/{name}", params)


def ingest_payments(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """Record the payment-feed rows arrived by `now` as 'payment' events (unrecorded_payments)."""
    db.run(con, "lifecycle/state/unrecorded_payments", {"now": now})
    record_payments(con, now)


def record_payments(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """Record the rows of unrecorded_payments as 'payment' events and stamp their feed rows; then
    empty it, so payment_events counts each payment once. The plan's record calls it on decide's
    unrecorded_payments: exactly the payments the day was decided (and its state derived) on."""
    params = {"now": now}
    db.run(con, "lifecycle/state/ingest_payments", params)
    db.run(con, "lifecycle/state/mark_payments_ingested", params)
    db.run(con, "lifecycle/state/forget_unrecorded", params)


def refresh_state(con: duckdb.DuckDBPyConnection, as_of: date, now: datetime, *, pending_only: bool = False,
                  day: date | None = None) -> None:
    """Ingest payments known by `now` and derive installment, loan and contact-flag state (the
    re-check before send, a writer; planning derives without ingesting, see derive_state)."""
    ingest_payments(con, now)
    derive_state(con, as_of, now, pending_only=pending_only, day=day)


def narrow_windows(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> None:
    """Narrow the stored window of every still-planned contact to the person's window as of $now
    (sql/policy/recheck/): a contact preference, a zone or a profile learned after the plan moves
    the hours of what is still to go; fills recheck_windows (empty ones are suppressed later).
    An assigned call's slot follows: moved inside the narrowed window on the same agent's shift,
    or, without room there, marked to be suppressed no_agent_today (recheck_slots, then
    carry_slot_misfits after the gate). Reads the person's window (contact_windows) derived by
    recheck_before_send for the whole re-check."""
    db.run(con, "policy/recheck/window_input", params)
    db.run(con, "policy/recheck/windows", params)
    db.run(con, "policy/recheck/narrow_windows", params)
    db.run(con, "calls/assign/recheck_slots", params)
    db.run(con, "calls/assign/record_changes", params)   # what the dialer was told, before it changes
    db.run(con, "calls/assign/move_slots", params)


def carry_slot_misfits(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> None:
    """The calls whose narrowed window left no room on their agent's shift (recheck_slots): a
    no_agent_today verdict unless the gate gave one, and their assignment carried."""
    db.run(con, "calls/assign/recheck_carry", params)
    db.run(con, "calls/assign/carry_misfits", params)


def recheck_before_send(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, now: datetime, *,
                        day: date | None = None) -> dict[str, int]:
    """Suppress planned contacts that may no longer go: window passed, paid, opted out, paused,
    over the person's caps as of now...

    Dispatch calls this at the start of every pass, so what the borrower did after the plan was
    made (paid, replied STOP, asked for a plan, named other hours, was flagged vulnerable) wins
    over what was planned. In order: the windows of the contacts still to go are narrowed to the
    person's current window (never widened), an assigned call's slot with it (or the call carried,
    no_agent_today, when its agent's shift has no room left in it); the gate judges those open now; the caps are counted
    again against the person's current limits (sql/policy/recheck/caps.sql). `day` limits it to
    the contacts of that local day (see dispatch_due). Last, every call a dialer may still dial is
    judged again (recheck_held_calls) and those now forbidden are withdrawn, for the dialer sync
    after the pass to cancel.
    """
    today = now.date()
    register_policy_tables(con, cfg, today)
    with db.transaction(con):
        params = {"now": now, "policy_version": cfg.policy_version, "config_text": cfg.text, "recorded_at": now,
                  "hardship_pause_days": cfg.follow_ups.hardship_pause_days, "day": day}
        # Where each person may be and their limits as of now, once for every step below (windows,
        # the gate, the held calls): it depends on the book and its events, not on the step asking.
        db.run(con, "policy/recheck/person_input", params)
        gate.person(con, params)
        narrow_windows(con, params)
        refresh_state(con, today, now, pending_only=True, day=day)
        db.run(con, "lifecycle/state/materialize_installments", {})
        db.run(con, "policy/recheck_input", params)
        gate.judge(con, params, person_known=True)
        db.run(con, "policy/recheck/no_window", params)
        carry_slot_misfits(con, params)
        db.run(con, "policy/recheck/caps", params)
        counts = dict(db.run(con, "policy/recheck_counts", params).fetchall())
        db.run(con, "policy/record_policy_version", params)
        db.run(con, "policy/apply_recheck", params)
        db.run(con, "policy/address_letters", params)
        counts |= recheck_held_calls(con, params)
    return counts


def recheck_held_calls(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> dict[str, int]:
    """Judge again every call a dialer may still dial (sql/policy/recheck/held_calls.sql: assigned,
    planned or already released, dial_until ahead, no conversation on it yet) and withdraw those
    the gate now forbids (call_withdrawals; a planned one is also suppressed). The dialer pass that
    follows every dispatch pass (flows/dispatch.py sync_dialer) leaves them out of what the dialer
    should hold, so it cancels them there with the reason. Why: the dialer holds a call from its
    push and dials it from its slot, possibly hours after its release, and redials until
    dial_until (review 16 item 1). Inside recheck_before_send's transaction, after its state.
    Returns the counts by 'held:<reason>'. Reads the person tables recheck_before_send derived."""
    db.run(con, "policy/recheck/held_calls", params)
    gate.judge(con, params, person_known=True)
    counts = {str(k): int(v) for k, v in db.run(con, "policy/recheck/held_counts", params).fetchall()}
    db.run(con, "policy/recheck/withdraw_held", params)
    db.run(con, "policy/recheck/suppress_held", params)
    return counts
