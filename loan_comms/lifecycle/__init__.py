"""A day of the lifecycle: state as of the day, the candidates it calls for, and the ledger of days.

    plan_day(con, cfg, renderer, as_of)        # state -> candidates -> policy -> recorded contacts
    decide(con, cfg, as_of)                    # ... what the day would do, an Arrow table; writes nothing
    record(con, cfg, renderer, decisions, ...) # ... the only writer of a day's plan
    days.status(con, as_of)                    # the ledger that makes any re-run a no-op

SQL: sql/lifecycle/state/ (installments, loans, flags, episodes), sql/lifecycle/plan/ (reminders,
ladder, forbearance, follow-ups, recording), sql/lifecycle/days/ (the ledger).
"""

from loan_comms.lifecycle import days
from loan_comms.lifecycle.days import DayOutOfOrder, DayStatus
from loan_comms.lifecycle.planner import PlanReport, decide, plan_day, record
from loan_comms.lifecycle.rendering import Renderer, template_context

__all__ = ["DayOutOfOrder", "DayStatus", "PlanReport", "Renderer", "days", "decide", "plan_day", "record",
           "template_context"]
