"""The scratch book a replay writes into: a copy of the real book with the plan's work of the replayed
days taken off, so those days can be planned again as if for the first time.

Why a copy: a what-if must never touch the real book. The book is only ever ATTACHed READ_ONLY,
copied whole (`COPY FROM DATABASE`), and everything after that happens in the scratch file.

What stays (inputs, as recorded): borrowers, loans, installments' schedule, the payment feed,
inbound borrower events (replies, call and visit outcomes, operator events, provider reports),
contact points, arrangements chosen, survey answers, provider receipts, phone look-ups, the template
and policy registries. What goes (derived by the plans and dispatches of D1 and later; table by table
in `ROLLBACK`): contacts and their wording, outbox rows, call and visit assignments, agents' shifts,
call queues, dialer pushes, withdrawals, hand-offs, survey invitations, plan offers, the ledger's
days, episodes opened (and closings made) on or after D1, payment events recorded from the feed by
those plans and the plan events (kept, broken, ...) they recorded. The derived paid amounts on
installments and the incremental state cache cannot be rolled back row by row: the cache is
emptied (the first replayed plan derives the whole book again, engine.derive_state: the same answer),
and the paid amounts are derived again as the last planned day before D1 wrote them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.clock import plan_instant
from loan_comms.config import LifecycleConfig
from loan_comms.errors import LoanCommsError
from loan_comms.policy.engine import derive_state, register_policy_tables


class ReplayError(LoanCommsError):
    """A replay that cannot start: bad dates, a scratch path that is the book, an interrupted day."""

    exit_code = 2


# Kept before anything is removed: the recorded log of the replayed days (for the compare).
KEEP = ("keep_recorded", "keep_recorded_messages", "keep_recorded_outbox")

# The roll-back, in order (sql/replay/): rows keyed by the dropped contacts go before the contacts.
ROLLBACK = ("derived_attempts", "drop_contact_messages", "drop_outbox_messages", "drop_call_assignments",
            "drop_call_assignment_changes", "drop_call_withdrawals", "drop_handoffs", "drop_survey_invitations",
            "drop_visit_assignments", "drop_offer_loans", "drop_offer_options", "drop_arrangement_offers",
            "drop_contact_attempts", "drop_agent_days", "drop_call_queue", "drop_dialer_pushes",
            "drop_opened_episodes", "reopen_episodes", "drop_payment_events", "unmark_payments",
            "drop_plan_events", "drop_plan_exports", "drop_day_runs", "reset_installments",
            "clear_state_installments", "clear_state_loans", "clear_state_watermark",
            "drop_experiment_assignments")


def default_scratch(book: Path) -> Path:
    """`<book stem>-replay.duckdb` next to the book (replaced on every run)."""
    return book.with_name(f"{book.stem}-replay.duckdb")


def check_paths(book: Path, scratch: Path) -> None:
    """Refuse a missing book and a scratch path that is the book itself (or its WAL)."""
    if not book.exists():
        raise db.no_book(book)
    if scratch.resolve() in (book.resolve(), Path(str(book) + ".wal").resolve()):
        raise ReplayError(f"--scratch {scratch} is the real book: a replay writes only into a scratch copy; "
                          "give another path")


def check_dates(book: Path, start: date, end: date) -> None:
    """check_days on the book's own ledger, the book opened read-only (nothing copied yet)."""
    if not book.exists():
        raise db.no_book(book)
    con = duckdb.connect(str(book), read_only=True)
    try:
        ledger = db.rows(con, "replay/days")
    except duckdb.CatalogException:
        raise db.no_book(book) from None
    finally:
        con.close()
    check_days(ledger, start, end)


def check_days(ledger: list[dict[str, object]], start: date, end: date) -> None:
    """The replayed days must be planned days of the book, and no day before them interrupted (the
    planner would finish it first, with the new config)."""
    if end < start:
        raise ReplayError(f"--to {end} is before --from {start}")
    planned = {r["as_of"] for r in ledger if r["planned"]}
    if not planned:
        raise ReplayError("the book has no planned days to replay (run-day or run-days first)")
    missing = [d for d in _days(start, end) if d not in planned]
    if missing:
        raise ReplayError(f"{missing[0]} is not a planned day of the book ({len(missing)} of {start}..{end} are not); "
                          f"planned days: {min(planned)}..{max(planned)}")   # type: ignore[type-var]
    stuck = [r["as_of"] for r in ledger if not r["planned"] and r["as_of"] < start]   # type: ignore[operator]
    if stuck:
        raise ReplayError(f"the plan of {stuck[0]} was interrupted and never finished: finish it with run-day first")


def _days(start: date, end: date) -> list[date]:
    from datetime import timedelta

    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def make_scratch(book: Path, scratch: Path, cfg: LifecycleConfig, start: date, end: date) -> duckdb.DuckDBPyConnection:
    """Copy `book` (opened READ_ONLY, never written) to `scratch`, check the dates against its ledger,
    keep the recorded log of start..end and roll the plan's work back to the start of `start`.
    Returns a connection to the scratch book, schema ensured."""
    check_paths(book, scratch)
    for suffix in ("", ".wal"):
        Path(str(scratch) + suffix).unlink(missing_ok=True)
    raw = duckdb.connect(str(scratch))
    try:
        raw.execute("ATTACH ? AS recorded_book (READ_ONLY)", [str(book)])
        has_book = raw.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'recorded_book' "
                               "AND table_name = 'borrowers'").fetchone()
        if not has_book or not has_book[0]:
            raise db.no_book(book)
        ledger = [dict(as_of=r[0], planned=r[1]) for r in raw.execute(
            "SELECT as_of, planned_at IS NOT NULL FROM recorded_book.day_runs ORDER BY as_of").fetchall()]
        check_days(ledger, start, end)
        found = raw.execute("SELECT current_database()").fetchone()
        target = str(found[0] if found else "scratch").replace('"', '""')   # an identifier: cannot be bound
        raw.execute(f'COPY FROM DATABASE recorded_book TO "{target}"')
        raw.execute("DETACH recorded_book")
    except BaseException:
        raw.close()
        for suffix in ("", ".wal"):
            Path(str(scratch) + suffix).unlink(missing_ok=True)
        raise
    raw.close()
    con = db.connect(scratch)
    _advance_sequence(con)
    params: dict[str, Any] = {"start": start, "end": end, "from_now": plan_instant(start)}
    params["plans_from"] = db.value(con, "replay/plans_from", params)
    params["previous"] = db.value(con, "replay/previous_day", params)
    with db.transaction(con):
        for name in KEEP + ROLLBACK:
            db.run(con, f"replay/{name}", params)
        _paid_as_of_previous_day(con, cfg, params["previous"])
    return con


def _paid_as_of_previous_day(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, previous: date | None) -> None:
    """Write the installments' paid amounts back as `previous`, the last planned day before the
    replayed ones (None: there is none, they stay 0), left them.

    The plan writes them after deciding (materialize_installments.sql, only ever growing), so at the
    start of the first replayed day they are what `previous` derived; reset_installments.sql emptied
    them, and this derives that day again (the whole book: the state cache is empty) and writes them.
    Nothing else of that day's derivation is kept (temp tables only)."""
    if previous is None:
        return
    register_policy_tables(con, cfg, previous)
    derive_state(con, previous, plan_instant(previous))
    db.run(con, "lifecycle/state/materialize_installments", {})


def _advance_sequence(con: duckdb.DuckDBPyConnection) -> None:
    """New borrower events take ids after every copied one, whatever the copy did to the sequence."""
    top = con.execute("SELECT coalesce(max(event_id), 0) FROM borrower_events").fetchone()
    nxt = con.execute("SELECT nextval('borrower_events_seq')").fetchone()
    if top and nxt and nxt[0] <= top[0]:
        con.execute("SELECT nextval('borrower_events_seq') FROM range(?)", [int(top[0] - nxt[0])])
