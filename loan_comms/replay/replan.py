"""Planning the replayed days again on the scratch book, one after the other, with the new config.

Why no dispatch: a replay must never reach a borrower, and the recorded dispatch already said what
happened to each contact. So after each day's plan, a contact the recorded log also made takes its
recorded outcome (status, provider ids, times, a dispatch-time suppression, the narrowed window:
sql/replay/copy_outcomes.sql, and its outbox row); a contact the recorded log never made is assumed
sent when its window opened (sql/replay/assume_sent.sql), after the dispatch's own re-check at that
instant (policy.recheck_before_send, as each real pass runs it): what the borrower did after the plan
(paid, promised, asked to stop) holds a new contact back in the replay as it would have for real. The next day then reads the same history
the recorded run read, wherever the two agree.

The day's instant is the one every run of the book used: `clock.plan_instant(day)` (day_runs keeps
no `now`; run-day, run-days and the flows all leave it to plan_day's default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from loan_comms import db
from loan_comms.clock import plan_instant
from loan_comms.config import LifecycleConfig
from loan_comms.lifecycle import planner
from loan_comms.lifecycle.rendering import Renderer
from loan_comms.policy.engine import recheck_before_send


@dataclass
class ReplanReport:
    """What re-planning did: contacts planned per day, and how many were assumed sent."""

    planned: dict[date, int] = field(default_factory=dict)
    assumed_sent: int = 0


def _send_new(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, day: date) -> int:
    """The day's new contacts, pass by pass: at each window opening, the re-check, then those let
    through are assumed sent. Returns how many were."""
    sent = 0
    for row in db.rows(con, "replay/new_send_times", {"day": day}):
        if row["send_at"] is not None:
            recheck_before_send(con, cfg, row["send_at"], day=day)
        sent += db.changed(con, "replay/assume_sent", {"day": day, "at": row["send_at"]})
    return sent


def replan(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, renderer: Renderer, start: date,
           end: date) -> ReplanReport:
    """Plan start..end in order on the scratch book `con`, each at its recorded instant, and give the
    day's contacts their outcomes before the next day is planned."""
    report = ReplanReport()
    day = start
    while day <= end:
        plan = planner.plan_day(con, cfg, renderer, day, now=plan_instant(day))
        report.planned[day] = plan.planned_total
        params = {"day": day}
        with db.transaction(con):
            db.run(con, "replay/copy_outcomes", params)
            db.run(con, "replay/restore_outbox", params)
        report.assumed_sent += _send_new(con, cfg, day)
        day += timedelta(days=1)
    return report
