"""The ledger of day runs (table `day_runs`): what makes re-running any day safe.

A day's plan depends on everything planned before it (ladder positions, caps over 7 days,
forbearance offers) and moves derived state forward (delinquency episodes). So:

- a day whose plan completed is never planned again: a re-run records nothing and changes nothing;
- a day whose plan was interrupted (a crash between batches) is finished by the next run of it,
  or first thing by the run of any later day, from the same as-of state, so the result is the one
  an uninterrupted run would have given;
- derived state moves only when the newest day is planned, and every plan reads episodes as they
  stood on its own day, so an older day re-read never rewinds what later days did;
- a day before the newest one that was never planned is refused: planning it now would contact
  borrowers out of order (a ladder step twice, caps counted without the later days).

The dispatch of a day on a simulated clock is marked too, so replaying it sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from loan_comms import db
from loan_comms.errors import LoanCommsError


class DayOutOfOrder(LoanCommsError):
    """A day before the newest planned day that was never planned itself."""


@dataclass(frozen=True)
class DayStatus:
    as_of: date
    started: bool
    planned: bool
    dispatched: bool
    latest: date | None          # the newest day ever started
    interrupted: date | None     # the earliest earlier day whose plan never finished

    @property
    def is_newest(self) -> bool:
        """Planning this day may move derived state (episodes): no later day was started."""
        return self.latest is None or self.as_of >= self.latest


def status(con: duckdb.DuckDBPyConnection, as_of: date) -> DayStatus:
    row = db.rows(con, "lifecycle/days/day_status", {"as_of": as_of})[0]
    return DayStatus(as_of=as_of, **row)


def check_can_plan(st: DayStatus) -> None:
    """Refuse a never-planned day that lies behind the newest one (see the module docstring)."""
    if not st.started and st.latest is not None and st.as_of < st.latest:
        raise DayOutOfOrder(
            f"{st.as_of} was never planned and later days already were (up to {st.latest}): planning it "
            f"now would contact borrowers out of order. Days are planned forward only; a day that was "
            f"already planned can be re-run safely.")


def start_plan(con: duckdb.DuckDBPyConnection, as_of: date, recorded_at: datetime, policy_version: str) -> None:
    db.run(con, "lifecycle/days/start_plan", {"as_of": as_of, "recorded_at": recorded_at, "policy_version": policy_version})


def finish_plan(con: duckdb.DuckDBPyConnection, as_of: date, recorded_at: datetime, policy_version: str) -> None:
    db.run(con, "lifecycle/days/finish_plan", {"as_of": as_of, "recorded_at": recorded_at, "policy_version": policy_version})


def finish_dispatch(con: duckdb.DuckDBPyConnection, as_of: date, finished_at: datetime) -> None:
    db.run(con, "lifecycle/days/finish_dispatch", {"as_of": as_of, "finished_at": finished_at})
