"""No bursts and visits (issue 11 case 8), planned on hand-built books.

A loan the planner first sees late starts at the step its days past due call for (never a step
a day from the first), legally required steps are never passed, steps of a loan keep
[ladder_pacing].min_days_between_steps apart, and a home visit goes only after its notice, on a
working day, inside the window, never in a pause, and its outcome can be recorded.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from loan_comms.audit import run_audit
from loan_comms.config import LifecycleConfig
from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.inbound.visits import ingest_visit_outcomes
from loan_comms.lifecycle.planner import decide, plan_day
from tests.builders import Book, EchoRenderer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def imported_late(book: Book, start: date, dpd: int, *, loan_id: str = "L1") -> None:
    """B1 (Shanghai, cn) with a loan whose oldest installment is `dpd` days past due on `start`."""
    if not book.con.execute("SELECT 1 FROM borrowers WHERE borrower_id = 'B1'").fetchall():
        book.borrower("B1")
    due = start - timedelta(days=dpd)
    book.loan(loan_id, "B1", [(due.isoformat(), "900.00"), ((due + timedelta(days=30)).isoformat(), "900.00"),
                              ((due + timedelta(days=60)).isoformat(), "900.00")])


def run(book: Book, cfg: LifecycleConfig, renderer: EchoRenderer, first: date, days: int) -> None:
    """Plan and send `days` days from `first` (everything planned goes at its window opening)."""
    for n in range(days):
        plan_day(book.con, cfg, renderer, first + timedelta(days=n))
        book.send_all_planned()


def sent(book: Book) -> list[tuple[date, str, str]]:
    return [(a["planned_for_date"], a["step"], a["channel"]) for a in book.attempts(status="sent")]


def audit_clean(book: Book, cfg: LifecycleConfig, at: date) -> None:
    """The audit finds nothing, once the field team has reported every visit not yet reported (the
    pair the visit plan assigned, an hour after it: the audit's visit_collectors asks every visit to
    be recorded, visit_pair that the assigned pair went)."""
    book.con.execute("UPDATE contact_attempts SET decided_by_rule = coalesce(decided_by_rule, 'allowed')")
    book.con.execute("""
        INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, channel, source, external_id,
                                     recorded_at, scope)
        SELECT a.borrower_id, a.loan_id, 'visit_outcome', sent_at + INTERVAL 1 HOUR,
               json_object('outcome', 'not_home', 'attempt_id', attempt_id,
                           'collectors', coalesce(va.agent_ids, ['FC01', 'FC02'])),
               'visit', 'test', 'visit:' || attempt_id || ':report', sent_at + INTERVAL 1 HOUR, 'loan'
        FROM contact_attempts AS a LEFT JOIN visit_assignments AS va USING (attempt_id)
        WHERE channel = 'visit' AND sent_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                          WHERE e.kind = 'visit_outcome' AND json_extract_string(e.detail, '$.attempt_id') = a.attempt_id)
    """)
    report = run_audit(book.con, cfg, now=datetime.combine(at, time(23), tzinfo=UTC), show=20)
    assert report.ok, str(report) + "\n" + "\n".join(str(r.rows) for r in report.rules if not r.ok)


# -- case 8: a book imported at 78 days past due -------------------------------------------------

def test_case_8_a_loan_imported_at_78_dpd_gets_no_catch_up_burst(book, cfg, renderer):
    start = date(2026, 11, 2)
    imported_late(book, start, 78)
    run(book, cfg, renderer, start, 8)
    got = sent(book)
    # one step: the one its dpd calls for (the hand-off letter), not dpd_1 .. dpd_60 a day each
    assert got == [(start, "dpd_60_handoff", "letter")], got
    assert not [a for a in book.attempts() if a["channel"] == "visit"], "no visit without notice, none owed"
    audit_clean(book, cfg, start + timedelta(days=8))


def test_a_legally_required_step_is_never_passed(book, cfg, renderer):
    """dpd_20 required by law: a loan first seen at 78 dpd is served it first, then the hand-off."""
    required = cfg.model_copy(update={"policy": cfg.policy.model_copy(update={"legally_required_steps": ("dpd_20",)})})
    start = date(2026, 11, 2)
    imported_late(book, start, 78)
    run(book, required, renderer, start, 5)
    assert sent(book) == [(start, "dpd_20", "letter"), (start + timedelta(days=2), "dpd_60_handoff", "letter")]
    audit_clean(book, required, start + timedelta(days=5))


def test_a_loan_seen_on_time_climbs_every_step(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    run(book, cfg, renderer, date(2026, 11, 2), 10)
    steps = [s for _, s, _ in sent(book) if s.startswith("dpd_")]
    assert list(dict.fromkeys(steps)) == ["dpd_1", "dpd_3", "dpd_5", "dpd_10"]


def test_pacing_keeps_steps_apart_when_the_ladder_catches_up_after_a_pause(book, cfg, renderer):
    """After a 14-day hardship pause the ladder is behind its dpd: it climbs a step per 2 days, not a day."""
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.event("B1", "hardship_request", "2026-11-02T15:00:00+08:00", loan_id="L1")
    run(book, cfg, renderer, date(2026, 11, 2), 26)
    days = sorted({d for d, s, _ in sent(book) if s.startswith("dpd_")})
    assert len(days) >= 4
    assert all((b - a).days >= cfg.ladder_pacing.min_days_between_steps for a, b in zip(days, days[1:])), days
    audit_clean(book, cfg, date(2026, 11, 28))


# -- visits ----------------------------------------------------------------------------------------

def visit_book(book: Book, cfg: LifecycleConfig, renderer: EchoRenderer, days: int) -> date:
    """A loan first seen at 32 dpd on Saturday 7 November: its ladder starts at the dpd_30 visit."""
    start = date(2026, 11, 7)
    imported_late(book, start, 32)
    run(book, cfg, renderer, start, days)
    return start


def decisions(book: Book, step: str, channel: str) -> dict[date, tuple[str, str | None]]:
    return {a["planned_for_date"]: (a["status"], a["suppressed_reason"]) for a in book.attempts()
            if (a["step"], a["channel"]) == (step, channel)}


def test_a_visit_waits_for_its_notice_then_goes_on_a_working_day(book, cfg, renderer):
    start = visit_book(book, cfg, renderer, 10)
    assert decisions(book, "visit_notice", "letter") == {start: ("sent", None)}
    visit = decisions(book, "dpd_30", "visit")
    for n in range(7):   # the week of notice (its weekend days fail the working-day rule first)
        day = start + timedelta(days=n)
        why = "visit_not_working_day" if day.weekday() >= 5 else "awaiting_visit_notice"
        assert visit[day] == ("suppressed", why), day
    assert visit[date(2026, 11, 16)] == ("sent", None)   # Monday, the first working day after the notice week
    [row] = [a for a in book.attempts(status="sent") if a["channel"] == "visit"]
    local = row["sent_at"].astimezone(SHANGHAI)
    assert local.weekday() < 5 and time(8) <= local.time() < time(22)   # in the cn window
    audit_clean(book, cfg, date(2026, 11, 17))


def test_two_loans_get_one_visit_a_day_and_the_second_goes_the_next_working_day(book, cfg, renderer):
    # found by issue 19's 90-day simulation: two pairs at the door on one day, one per loan, the second
    # an hour after the first had heard hardship
    start = date(2026, 11, 7)
    imported_late(book, start, 32)
    imported_late(book, start, 32, loan_id="L2")
    run(book, cfg, renderer, start, 11)
    visits = sorted((a["planned_for_date"], a["loan_id"], a["status"], a["suppressed_reason"])
                    for a in book.attempts() if a["channel"] == "visit" and a["planned_for_date"] >= date(2026, 11, 16))
    monday, tuesday = date(2026, 11, 16), date(2026, 11, 17)
    assert [v for v in visits if v[0] == monday and v[2] == "sent"] == [(monday, "L1", "sent", None)] or \
        [v for v in visits if v[0] == monday and v[2] == "sent"] == [(monday, "L2", "sent", None)]
    held = [v for v in visits if v[0] == monday and v[2] == "suppressed"]
    assert len(held) == 1 and held[0][3] == "cap_visits_per_day"
    assert [(v[1], v[2]) for v in visits if v[0] == tuesday] == [(held[0][1], "sent")]
    audit_clean(book, cfg, date(2026, 11, 18))
    # and the audit's own rule fires on two visits the same day
    book.con.execute("UPDATE contact_attempts SET planned_for_date = DATE '2026-11-16', status = 'sent', "
                     "sent_at = sent_at - INTERVAL 1 DAY WHERE channel = 'visit' AND planned_for_date = DATE '2026-11-17'")
    report = run_audit(book.con, cfg, rules=("visits_per_day",))
    assert report.violations == 1


def test_a_visit_whose_notice_can_never_go_is_not_made_and_the_ladder_reaches_the_hand_off(book, cfg, renderer):
    """The person asked for no letters: the notice can never go, so the visit is never made
    (visit_unannounced, a step that could not be made) and the ladder still reaches the legally
    required hand-off letter instead of waiting for the notice for ever."""
    required = cfg.model_copy(update={"policy": cfg.policy.model_copy(
        update={"legally_required_steps": ("dpd_60_handoff",)})})
    start = date(2026, 11, 7)
    imported_late(book, start, 32)
    book.event("B1", "contact_preference", "2026-11-01T12:00:00+08:00", window=None,
               avoid_channels=["letter"], avoid_places=[])
    run(book, required, renderer, start, 32)
    assert set(decisions(book, "visit_notice", "letter").values()) == {("suppressed", "preference_channel")}
    visit = decisions(book, "dpd_30", "visit")
    assert ("suppressed", "visit_unannounced") in visit.values()
    assert not [a for a in book.attempts(status="sent") if a["channel"] == "visit"]
    assert ("sent", None) in decisions(book, "dpd_60_handoff", "letter").values()   # required: goes anyway
    audit_clean(book, required, start + timedelta(days=32))


def test_a_visit_waits_for_a_working_day(book, cfg, renderer):
    visit_book(book, cfg, renderer, 10)
    visit = decisions(book, "dpd_30", "visit")
    assert visit[date(2026, 11, 14)] == ("suppressed", "visit_not_working_day")   # Saturday
    assert visit[date(2026, 11, 15)] == ("suppressed", "visit_not_working_day")   # Sunday


def test_a_visit_on_time_is_announced_ahead_so_it_is_not_late(book, cfg, renderer):
    """A loan climbing on time gets the notice at dpd 23, so the visit can go at dpd 30."""
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00"), ("2026-12-01", "100.00")])
    run(book, cfg, renderer, date(2026, 11, 2), 33)
    [(notice_day, _, _)] = [s for s in sent(book) if s[1] == "visit_notice"]
    [(visit_day, _, _)] = [s for s in sent(book) if s[2] == "visit"]
    assert notice_day == date(2026, 11, 24)   # dpd 23
    assert visit_day == date(2026, 12, 1)     # dpd 30, a Tuesday
    audit_clean(book, cfg, date(2026, 12, 4))


@pytest.mark.parametrize("kind, extra, reason", [
    ("dispute", {}, "paused_dispute"),
    ("hardship_request", {}, "paused_hardship"),
    ("promise_to_pay", {"promised_date": "2026-11-30"}, "paused_promise"),
    ("cease_contact", {}, "cease_contact"),
])
def test_no_visit_in_a_pause(book, cfg, renderer, kind, extra, reason):
    start = visit_book(book, cfg, renderer, 9)   # up to Sunday 15 November
    book.event("B1", kind, "2026-11-15T12:00:00+08:00", loan_id=None if kind == "cease_contact" else "L1", **extra)
    plan_day(book.con, cfg, renderer, start + timedelta(days=9))
    assert decisions(book, "dpd_30", "visit")[date(2026, 11, 16)] == ("suppressed", reason)


def test_no_visit_notice_in_a_hardship_pause(book, cfg, renderer):
    start = date(2026, 11, 7)
    imported_late(book, start, 32)
    book.event("B1", "hardship_request", "2026-11-06T12:00:00+08:00", loan_id="L1")
    plan_day(book.con, cfg, renderer, start)
    assert decisions(book, "visit_notice", "letter") == {start: ("suppressed", "paused_hardship")}


# -- visit outcomes ---------------------------------------------------------------------------------

def write_rows(path: Path, rows: list[dict | str]) -> Path:
    path.write_text("\n".join(json.dumps(r) if isinstance(r, dict) else r for r in rows), encoding="utf-8")
    return path


def test_case_8_a_visit_outcome_is_recorded_and_a_promise_pauses_the_ladder(book, cfg, renderer, tmp_path):
    visit_book(book, cfg, renderer, 10)
    [visit] = [a for a in book.attempts(status="sent") if a["channel"] == "visit"]
    f = write_rows(tmp_path / "field.jsonl", [
        {"attempt_id": visit["attempt_id"], "outcome": "not_home", "collectors": ["C7", "C9"],
         "occurred_at": "2026-11-16T10:00:00+08:00"},
        {"attempt_id": visit["attempt_id"], "outcome": "promise_to_pay", "collectors": "C7, C9",
         "occurred_at": "2026-11-16T15:00:00+08:00", "promised_date": "2026-12-20", "amount": "900"},
    ])
    now = datetime(2026, 11, 16, 12, tzinfo=UTC)
    report = ingest_visit_outcomes(book.con, f, now=now)
    assert (report.recorded, report.rejected) == (2, [])
    assert ingest_visit_outcomes(book.con, f, now=now).duplicates == 2   # re-ingesting records nothing
    rows = book.con.execute("SELECT kind, loan_id, external_id, detail FROM borrower_events "
                            "WHERE kind = 'visit_outcome' ORDER BY occurred_at").fetchall()
    assert [(k, loan) for k, loan, _, _ in rows] == [("visit_outcome", "L1")] * 2
    assert rows[0][2] == f"visit:{visit['attempt_id']}:20261116T020000Z"
    assert json.loads(rows[1][3]) == {"outcome": "promise_to_pay", "attempt_id": visit["attempt_id"],
                                      "collectors": ["C7", "C9"], "promised_date": "2026-12-20"}
    # the promise pauses the ladder: dpd_60 (due 5 December) waits until 21 December
    got = {d["step"]: d["suppressed_reason"] for d in decide(book.con, cfg, date(2026, 12, 5)).to_pylist()
           if d["purpose"] == "escalation"}
    assert got == {"dpd_60_handoff": "paused_promise"}


def test_a_hardship_told_at_the_door_acts_as_a_hardship_request(book, cfg, renderer, tmp_path):
    visit_book(book, cfg, renderer, 10)
    [visit] = [a for a in book.attempts(status="sent") if a["channel"] == "visit"]
    ingest_visit_outcomes(book.con, write_rows(tmp_path / "f.jsonl", [
        {"attempt_id": visit["attempt_id"], "outcome": "hardship", "collectors": ["C7", "C9"],
         "occurred_at": "2026-11-16T10:00:00+08:00"}]), now=datetime(2026, 11, 16, 12, tzinfo=UTC))
    offers = {d["channel"] for d in decide(book.con, cfg, date(2026, 11, 17)).to_pylist()
              if d["step"] == "hardship_offer" and d["status"] == "planned"}
    assert offers == {"sms", "email"}
