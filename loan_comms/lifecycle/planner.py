"""A day's plan: state -> candidates -> policy -> rendered, recorded contacts.

Deciding apart from recording: `decide` reads the book and returns what the day would do (an
Arrow table; it writes nothing, so a dry run is just decide + render), and `record` is the only
writer (payments ingested, episodes moved, the ledger, decisions, rendered batches).
Everything set-shaped is SQL over DuckDB; Python only renders the planned text contacts (by column,
in batches: rendering.py), and records each batch with its wording in one transaction, so a crash
leaves either a whole batch or none of it, and a re-run picks up exactly what is missing.

Re-running is governed by the ledger of day runs (loan_comms/lifecycle/days.py): a day planned whole is
not planned again, an interrupted one is finished, and an older day never moves derived state.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Protocol

import duckdb
import pyarrow as pa

from loan_comms.arrangements import offers
from loan_comms.calls import assign
from loan_comms.calls.roster import roster_for
from loan_comms.handoff import state as handoff_state
from loan_comms.lifecycle import days, rendering
from loan_comms.lifecycle.rendering import Renderer
from loan_comms import db
from loan_comms.clock import plan_instant, utc_now
from loan_comms.config import TEXT_CHANNELS, LifecycleConfig
from loan_comms.experiments import arms as experiment_arms
from loan_comms.policy import gate, zones
from loan_comms.policy.engine import derive_state, record_payments, register_policy_tables, store_state
from loan_comms.surveys.planning import propose as propose_surveys
from loan_comms.visits import plan as visit_plan

log = logging.getLogger("loan_comms.plan")

# The contacts of a plan's life, proposed after the follow-ups (sql/arrangements/<name>.sql).
ARRANGEMENT_CANDIDATES: tuple[str, ...] = ("confirmed_candidates", "declined_candidates", "reminder_candidates",
                                           "missed_candidates", "reoffer_candidates", "kept_candidates")


@dataclass
class PlanReport:
    as_of: date
    candidates: int = 0
    planned: Counter = field(default_factory=Counter)        # (purpose, step, channel) -> n
    suppressed: Counter = field(default_factory=Counter)     # reason -> n
    render_failed: Counter = field(default_factory=Counter)  # error -> n
    already_recorded: int = 0
    dry_run: bool = False
    already_planned: bool = False                            # the ledger says the day is complete
    resumed: list[date] = field(default_factory=list)        # interrupted earlier days finished first
    offers: int = 0                                          # contacts carrying a plan offer with its link
    offers_without_link: int = 0                             # plan offers sent without a link: no token key (alert)

    @property
    def planned_total(self) -> int:
        return sum(self.planned.values())

    def __str__(self) -> str:
        if self.already_planned:
            return (f"{self.as_of}: already planned ({self.already_recorded} contacts recorded), nothing new: "
                    "re-running a planned day records nothing")
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(self.suppressed.items())) or "none"
        failed = sum(self.render_failed.values())
        return (f"{'DRY RUN ' if self.dry_run else ''}{self.as_of}: {self.candidates} candidates, {self.planned_total} planned, "
                f"{sum(self.suppressed.values())} suppressed ({reasons}), {failed} render failures, "
                f"{self.already_recorded} already recorded"
                + (f"; first finished the interrupted plan of {', '.join(map(str, self.resumed))}"
                   if self.resumed else "")
                + (f"; {self.offers_without_link} plan offers went WITHOUT a link (no plan token key: set "
                   "LOAN_COMMS_PLAN_TOKEN_KEY or [arrangements] token_key_block)" if self.offers_without_link else ""))


def _params(cfg: LifecycleConfig, as_of: date, now: datetime, recorded_at: datetime) -> dict[str, Any]:
    return {
        "as_of": as_of, "now": now, "recorded_at": recorded_at,
        "policy_version": cfg.policy_version, "config_text": cfg.text,
        "hardship_pause_days": cfg.follow_ups.hardship_pause_days,
        "min_days_between_steps": cfg.ladder_pacing.min_days_between_steps,
        "visit_notice_days": cfg.visits.notice_days,
        "callback_wait_days": cfg.follow_ups.callback_wait_days,
        "text_channels": list(TEXT_CHANNELS), "pending_only": False,
    }


class HumanWork(Protocol):
    """Gives the day's human work to people: the calls the policy let through to agents with slots,
    the visits to pairs of field agents. Leaves temp tables day_call_assignments, day_agent_days
    (with a roster) and day_visit_plan for `record`, and suppresses in temp table decisions what
    fits nowhere (carried, with its reason)."""

    def __call__(self, con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, params: dict[str, Any]) -> None: ...


def assign_human_work(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, params: dict[str, Any]) -> None:
    """The human work of one book decided on that book: calls assigned to agents with slots
    (loan_comms/calls/assign.py), visits to pairs of field agents (loan_comms/visits/plan.py). A
    sharded book gives its agents' capacity to the calls of every shard at once instead
    (loan_comms/shards/run.py): the roster spans all borrowers, so this step cannot be split."""
    roster = roster_for(cfg)
    if roster is not None:   # the calls let through go to agents with slots; what does not fit is carried
        assign.assign_calls(con, roster, params)
    visit_plan.propose(con, cfg, params["as_of"])   # visits to pairs of field agents, or carried (temp day_visit_plan)


def police(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date, now: datetime | None = None, *,
           advance_state: bool = True) -> dict[str, Any]:
    """`decide` up to the policy's verdicts (temp table decisions), before any human work is
    assigned; returns the parameters the rest of the day's SQL binds. Writes nothing.

    Apart from `decide` so a sharded day can stop here: each shard exports the calls and visits
    to assign, one step assigns them over every shard, and each shard decides again with that
    assignment injected (loan_comms/shards/run.py)."""
    now = now or plan_instant(as_of)
    params = {**_params(cfg, as_of, now, now), "advance": advance_state}
    register_policy_tables(con, cfg, as_of)
    experiment_arms.register_tables(con, cfg)   # cfg_arm_steps: the steps each experiment's arm proposes
    derive_state(con, as_of, now)
    db.run(con, "lifecycle/state/episode_changes", params)
    db.run(con, "lifecycle/state/day_episodes", params)
    experiment_arms.assign_day(con, as_of)   # day_arms: each borrower's arm today (new draws included)
    db.run(con, "lifecycle/plan/create_candidates", params)
    for name in ("reminder_candidates", "lost_reminder_candidates", "ladder_next", "ladder_candidates",
                 "visit_notice_candidates", "forbearance_candidates", "follow_up_candidates"):
        db.run(con, f"lifecycle/plan/{name}", params)
    for name in ARRANGEMENT_CANDIDATES:   # a plan's own contacts (sql/arrangements/)
        db.run(con, f"arrangements/{name}", params)
    db.run(con, "arrangements/event_changes", params)   # what record adds to the log (newest day only)
    for name in ("reply_follow_ups", "reply_follow_up_candidates"):
        db.run(con, f"lifecycle/plan/{name}", params)
    propose_surveys(con, cfg, params)
    db.run(con, "lifecycle/plan/candidates_once", params)   # one row per key: the first proposal
    db.run(con, "lifecycle/plan/gate_input", params)
    gate.judge(con, params)
    db.run(con, "policy/decide", params)
    db.run(con, "experiments/tag_decisions", params)   # each decision's experiment, arm and template
    return params


def decide(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date, now: datetime | None = None, *,
           advance_state: bool = True, human_work: HumanWork = assign_human_work) -> pa.Table:
    """What `as_of` would do: every new candidate with the policy's verdict, as an Arrow table.

    Writes nothing to the database. The state the day needs is derived into temp tables on `con`:
    payments arrived in the feed count before they are recorded (payment_events), and the episodes
    the day would open or close (episode_changes, only with advance_state: the newest day) are read
    through day_episodes, so the candidates see episodes as they stand on `as_of`; likewise the plan
    events the day would record (arrangement_event_changes: payments, misses, breaks, keeps of
    repayment plans, newest day only). `record` then applies exactly that, on the same connection.
    Also leaves temp tables candidates and decisions. With a roster ([calls].roster), the calls
    let through are assigned to agents with slots (loan_comms/calls/assign.py) and the visits to
    pairs of field agents (loan_comms/visits/plan.py, temp day_visit_plan): those that fit nowhere
    are carried (suppressed here, with their reason), and the assignments wait in temp tables for
    `record`. `human_work` is that step (`assign_human_work` on this book; a sharded day injects
    the assignment made over every shard).
    """
    params = police(con, cfg, as_of, now, advance_state=advance_state)
    human_work(con, cfg, params)
    offers.propose(con, cfg, params)   # temp table offer_options: the options each planned offer carries
    return db.arrow(con, "lifecycle/plan/decisions", params)


def record(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, renderer: Renderer, decisions: pa.Table, *,
           as_of: date, now: datetime, recorded_at: datetime, batch_size: int,
           progress: Callable[[int], None] | None = None, offer_links: offers.OfferLinks | None = None) -> Counter:
    """Record what `decide` returned for `as_of`: the only writer of a day's plan.

    In one transaction: the payments, episode moves and plan events (with their core-banking export
    records) the decision was made on (decide's temp tables on this connection), the installment state
    the next day starts from (store_state: only the loans derived again, and never backwards), the ledger's start of
    the day, the hand-offs seen (handoff_state, loan_comms/handoff/state.py), the phone numbers decide
    looked up (loan_comms/policy/zones.py), and the decisions, except planned
    text contacts; those are rendered and recorded with their wording batch by batch (one
    transaction each, which also registers the provenance of each template version they use:
    templating/registry.py), so a crash leaves whole batches, offers included (offer_links counts them).
    Returns render failures by error.
    """
    params = _params(cfg, as_of, now, recorded_at)
    with db.transaction(con):
        db.temp_table(con, "decisions", decisions)
        record_payments(con, now)   # decide's unrecorded_payments: what the day was decided on
        for name in ("materialize_installments", "open_episodes", "close_episodes"):
            db.run(con, f"lifecycle/state/{name}", params)
        store_state(con, now)   # the installment state, so the next day derives only what changed
        for name in ("record_events", "record_exports"):   # plan payments, misses, breaks, keeps
            db.run(con, f"arrangements/{name}", params)
        days.start_plan(con, as_of, recorded_at, cfg.policy_version)
        db.run(con, "experiments/record_assignments", params)   # the borrowers drawn today, once
        for name in ("record_versions", "record_experiment_days"):   # each running experiment as this day used it
            db.run(con, f"experiments/{name}", params)
        db.run(con, "policy/record_policy_version", params)
        db.run(con, "policy/record_decisions", params)
        if roster_for(cfg) is not None and assign.assigned(con):   # the calls' agents and slots
            assign.record_assignments(con, params)
        visit_plan.record(con, cfg, params)   # visit_assignments and the field shifts used (agent_days)
        handoff_state.record(con, params)   # the loans whose hand-off step went (decide's handoff_state)
        zones.record_lookups(con)   # the phone numbers decide looked up, never looked up again
    failed: Counter = Counter()
    for rendered in rendering.rendered_batches(con, cfg, renderer, params, batch_size, progress, offer_links):
        failed += rendering.render_failures(rendered)
        rendering.record_rendered(con, rendered, params, renderer)
    return failed


def plan_day(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, renderer: Renderer, as_of: date, *,
             now: datetime | None = None, batch_size: int | None = None, dry_run: bool = False,
             progress: Callable[[int], None] | None = None,
             human_work: HumanWork = assign_human_work) -> PlanReport:
    """Plan, police, render and record every contact of `as_of`. Safe to re-run (see days.py):
    a day already planned whole records nothing, an interrupted one is finished, and an earlier
    interrupted day is finished first. A never-planned day behind the newest raises DayOutOfOrder.

    dry_run: decide and render exactly as for real, but record nothing (`decide` writes nothing),
    so the report shows what would have gone and nothing can be sent from it.
    human_work: how `decide` assigns the day's calls and visits (see HumanWork); an interrupted
    earlier day finished first gets the default (a sharded run finishes those days itself first).
    """
    status = days.status(con, as_of)
    days.check_can_plan(status)
    resumed: list[date] = []
    while status.interrupted is not None and not dry_run:
        log.warning("%s: finishing the interrupted plan of %s first", as_of, status.interrupted)
        plan_day(con, cfg, renderer, status.interrupted, batch_size=batch_size)
        resumed.append(status.interrupted)
        status = days.status(con, as_of)
    if status.planned and not dry_run:
        recorded = db.value(con, "lifecycle/plan/day_recorded", {"as_of": as_of})
        return PlanReport(as_of=as_of, candidates=recorded, already_recorded=recorded, already_planned=True,
                          resumed=resumed)
    now = now or plan_instant(as_of)
    recorded_at = utc_now()
    batch_size = batch_size or cfg.dispatch.batch_size
    decisions = decide(con, cfg, as_of, now, advance_state=status.is_newest, human_work=human_work)
    report = _report(con, as_of, decisions, dry_run)
    links = offers.OfferLinks(cfg)
    if dry_run:
        params = _params(cfg, as_of, now, recorded_at)
        for rendered in rendering.rendered_batches(con, cfg, renderer, params, batch_size, progress, links):
            report.render_failed += rendering.render_failures(rendered)
    else:
        report.render_failed = record(con, cfg, renderer, decisions, as_of=as_of, now=now, recorded_at=recorded_at,
                                      batch_size=batch_size, progress=progress, offer_links=links)
        report.resumed = resumed
        days.finish_plan(con, as_of, recorded_at, cfg.policy_version)
    report.offers, report.offers_without_link = links.linked, links.unlinked
    if links.unlinked:
        log.warning("%s: %d plan offers went without a link (no plan token key)", as_of, links.unlinked)
    if report.render_failed:
        log.warning("%s: %d contacts could not be rendered and were marked failed: %s",
                    as_of, sum(report.render_failed.values()), dict(report.render_failed))
    return report


def _report(con: duckdb.DuckDBPyConnection, as_of: date, decisions: pa.Table, dry_run: bool) -> PlanReport:
    """The plan's counts from decide's table: planned by (purpose, step, channel), suppressed by reason."""
    report = PlanReport(as_of=as_of, dry_run=dry_run)
    report.candidates = db.rows(con, "lifecycle/plan/candidate_count")[0]["n"]
    report.already_recorded = report.candidates - decisions.num_rows
    counts = decisions.group_by(["purpose", "step", "channel", "status", "suppressed_reason"],
                                use_threads=False).aggregate([([], "count_all")])
    for row in counts.to_pylist():
        if row["status"] == "planned":
            report.planned[(row["purpose"], row["step"], row["channel"])] += row["count_all"]
        else:
            report.suppressed[row["suppressed_reason"]] += row["count_all"]
    return report
