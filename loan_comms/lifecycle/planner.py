"""A day's plan: state -> candidates -> policy -> rendered, recorded contacts.

Everything set-shaped is SQL over DuckDB; Python only renders the planned text contacts, in
batches, and records each batch with its wording in one transaction, so a crash leaves either a
whole batch or none of it, and a re-run picks up exactly what is missing.

Re-running is governed by the ledger of day runs (loan_comms/lifecycle/days.py): a day planned whole is
not planned again, an interrupted one is finished, and an older day never moves derived state.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from typing import Any, Callable, Protocol

import duckdb
import pyarrow as pa

from loan_comms.lifecycle import days
from loan_comms import db
from loan_comms.clock import plan_instant, utc_now
from loan_comms.config import TEXT_CHANNELS, LifecycleConfig
from loan_comms.policy import gate
from loan_comms.policy.engine import refresh_state, register_policy_tables

log = logging.getLogger("loan_comms.plan")

RENDERED_SCHEMA = pa.schema([
    ("idempotency_key", pa.string()), ("template_id", pa.string()), ("template_version", pa.string()),
    ("language", pa.string()), ("subject", pa.string()), ("body_text", pa.string()),
    ("body_html", pa.string()), ("error", pa.string()),
])


class Renderer(Protocol):
    def render_many(self, kind: str, channel: str, language: str, ctxs: list[dict[str, Any]]) -> list[Any]: ...


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
                   if self.resumed else ""))


def template_context(row: dict[str, Any], cfg: LifecycleConfig) -> dict[str, Any]:
    """The fixed set of variables a template may use (see templates/README.md)."""
    loan_id = str(row["loan_id"])
    return {
        "first_name": row["first_name"],
        "full_name": row["full_name"],
        "amount_due": row["amount_due"],
        "currency": row["currency"],
        "due_date": row["due_date"],
        "days_past_due": int(row["days_past_due"] or 0),
        "product": row["product"],
        "pay_link": f"{cfg.general.pay_link_base}{loan_id}",
        "help_line": cfg.general.help_line,
        "survey_link": f"{cfg.general.survey_link_base}{loan_id}",
        "loan_id_masked": "****" + loan_id[-4:],
        "promised_date": row["promised_date"],
        "language": row["language"],
    }


def _params(cfg: LifecycleConfig, as_of: date, now: datetime, recorded_at: datetime) -> dict[str, Any]:
    return {
        "as_of": as_of, "now": now, "recorded_at": recorded_at,
        "policy_version": cfg.policy_version, "config_text": cfg.text,
        "hardship_pause_days": cfg.follow_ups.hardship_pause_days,
        "text_channels": list(TEXT_CHANNELS), "pending_only": False,
    }


def build_decisions(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date,
                    now: datetime | None = None, *, in_transaction: bool = False,
                    advance_state: bool = True) -> None:
    """Fill temp tables candidates and decisions for `as_of` (no contact recorded yet).

    The state it derives (payments ingested, episodes opened or closed) is committed in one
    transaction, unless the caller already holds one (a dry run, which rolls everything back).
    advance_state=False (an older day than the newest planned) leaves episodes as later days left
    them; the candidates read them as they stood on `as_of` either way.
    """
    now = now or plan_instant(as_of)
    params = _params(cfg, as_of, now, now)
    register_policy_tables(con, cfg, as_of)
    with (nullcontext(con) if in_transaction else db.transaction(con)):
        refresh_state(con, as_of, now)
        db.run(con, "lifecycle/state/materialize_installments", params)
        if advance_state:
            db.run(con, "lifecycle/state/open_episodes", params)
            db.run(con, "lifecycle/state/close_episodes", params)

    db.run(con, "lifecycle/plan/create_candidates", params)
    for name in ("lifecycle/plan/reminder_candidates", "lifecycle/plan/lost_reminder_candidates", "lifecycle/plan/ladder_candidates",
                 "lifecycle/plan/forbearance_candidates", "lifecycle/plan/follow_up_candidates"):
        db.run(con, name, params)
    con.execute("CREATE OR REPLACE TEMP TABLE gate_input AS "
                "SELECT *, $as_of::DATE AS planned_for_date FROM candidates", {"as_of": as_of})
    gate.judge(con, params)
    db.run(con, "policy/decide", params)


def plan_day(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, renderer: Renderer, as_of: date, *,
             now: datetime | None = None, batch_size: int | None = None, dry_run: bool = False,
             progress: Callable[[int], None] | None = None) -> PlanReport:
    """Plan, police, render and record every contact of `as_of`. Safe to re-run (see days.py):
    a day already planned whole records nothing, an interrupted one is finished, and an earlier
    interrupted day is finished first. A never-planned day behind the newest raises DayOutOfOrder.

    dry_run: plan, police and render exactly as for real, but record nothing, so the report
    shows what would have gone and nothing can be sent from it.
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
        recorded = db.scalar(con, "SELECT count(*) FROM contact_attempts WHERE planned_for_date = $d", {"d": as_of})
        return PlanReport(as_of=as_of, candidates=recorded, already_recorded=recorded, already_planned=True,
                          resumed=resumed)
    now = now or plan_instant(as_of)
    recorded_at = utc_now()
    params = _params(cfg, as_of, now, recorded_at)
    batch_size = batch_size or cfg.dispatch.batch_size
    if dry_run:
        con.execute("BEGIN TRANSACTION")
        try:
            return _plan(con, cfg, renderer, status, now, params, batch_size, True, progress)
        finally:
            con.execute("ROLLBACK")
    report = _plan(con, cfg, renderer, status, now, params, batch_size, False, progress)
    report.resumed = resumed
    days.finish_plan(con, as_of, recorded_at, cfg.policy_version)
    return report


def _plan(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, renderer: Renderer, status: days.DayStatus,
          now: datetime, params: dict[str, Any], batch_size: int, dry_run: bool,
          progress: Callable[[int], None] | None) -> PlanReport:
    as_of = status.as_of
    build_decisions(con, cfg, as_of, now, in_transaction=dry_run, advance_state=status.is_newest)

    report = PlanReport(as_of=as_of, dry_run=dry_run)
    report.candidates = db.scalar(con, "SELECT count(*) FROM candidates")
    report.already_recorded = report.candidates - db.scalar(con, "SELECT count(*) FROM decisions")
    for purpose, step, channel, status, reason, n in con.execute(
        "SELECT purpose, step, channel, status, suppressed_reason, count(*) FROM decisions GROUP BY ALL"
    ).fetchall():
        if status == "planned":
            report.planned[(purpose, step, channel)] += n
        else:
            report.suppressed[reason] += n

    if not dry_run:
        with db.transaction(con):
            days.start_plan(con, as_of, params["recorded_at"], cfg.policy_version)
            db.run(con, "policy/record_policy_version", params)
            db.run(con, "policy/record_decisions", params)

    # Fetched whole (as Arrow, typed in SQL) because each batch is then written on this same
    # connection, and duckdb refuses new work while a result is still streaming.
    inputs = db.arrow(con, "lifecycle/plan/render_inputs", params)
    done = 0
    for batch in inputs.to_batches(max_chunksize=batch_size):
        chunk = batch.to_pylist()
        rendered = _render_chunk(chunk, cfg, renderer)
        for r in rendered:
            if r["error"]:
                report.render_failed[r["error"].removeprefix("render_failed: ")[:120]] += 1
        if not dry_run:
            _record_rendered(con, rendered, params)
        done += len(chunk)
        if progress:
            progress(done)
    if report.render_failed:
        log.warning("%s: %d contacts could not be rendered and were marked failed: %s",
                    as_of, sum(report.render_failed.values()), dict(report.render_failed))
    return report


def _render_chunk(rows: list[dict[str, Any]], cfg: LifecycleConfig, renderer: Renderer) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for (step, channel, language), group in groupby(rows, key=lambda r: (r["step"], r["channel"], r["language"])):
        group = list(group)
        results = renderer.render_many(step, channel, language, [template_context(r, cfg) for r in group])
        for row, res in zip(group, results):
            if isinstance(res, Exception):
                out.append(dict(idempotency_key=row["idempotency_key"], template_id=None, template_version=None,
                                language=language, subject=None, body_text=None, body_html=None,
                                error=f"render_failed: {res}"))
            else:
                out.append(dict(idempotency_key=row["idempotency_key"], template_id=res.template_id,
                                template_version=res.template_version, language=res.language,
                                subject=res.subject, body_text=res.text, body_html=res.html, error=None))
    return out


def _record_rendered(con: duckdb.DuckDBPyConnection, rendered: list[dict[str, Any]], params: dict[str, Any]) -> None:
    table = pa.Table.from_pylist(rendered, schema=RENDERED_SCHEMA)
    con.register("_rendered_arrow", table)
    try:
        with db.transaction(con):
            con.execute("CREATE OR REPLACE TEMP TABLE rendered_batch AS SELECT * FROM _rendered_arrow")
            db.run(con, "lifecycle/plan/record_rendered", params)
            db.run(con, "lifecycle/plan/record_rendered_messages", params)
    finally:
        con.unregister("_rendered_arrow")
