"""The visit plan on a hand-built book: each visit the policy lets through goes to a pair of field
agents of the borrower's city, one speaking the borrower's language, in a slot inside both shifts
and the borrower's window, grouped by city then district; what does not fit is carried with its
reason and never dropped; re-running a day records nothing new; the audit agrees.

One book serves the module (planning eleven days is the slow part): loans first seen at 32 days
past due on Saturday 7 November 2026, so the dpd_30 visit waits for its notice (sent that day) and
goes on Monday 16 November, the first working day a week after it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.config import load_config
from loan_comms.lifecycle.planner import decide, plan_day
from tests.builders import Book, EchoRenderer
from tests.visits.conftest import with_roster

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = date(2026, 11, 7)
FIRST_MONDAY = date(2026, 11, 9)   # the first working day: a visit no pair could make is suppressed then
MONDAY, TUESDAY = date(2026, 11, 16), date(2026, 11, 17)
DAYS = 11   # 7 .. 17 November

# borrower: (language, city, district, amount of each installment)
PEOPLE = {
    "B1": ("zh-CN", "Shanghai", "Huangpu", "900.00"),
    "B2": ("zh-CN", "Shanghai", "Pudong", "800.00"),
    "B3": ("zh-CN", "Shanghai", "Huangpu", "700.00"),
    "B8": ("en", "Shanghai", "Jing'an", "500.00"),
    "B4": ("zh-CN", "Shanghai", "Pudong", "100.00"),   # the smallest: carried on Monday
    "B5": ("zh-CN", "Beijing", "Chaoyang", "600.00"),
    "B6": ("zh-CN", None, None, "650.00"),             # no city on file
    "B7": ("zh-CN", "Chengdu", "Wuhou", "640.00"),     # one field agent there: no pair
    "B9": ("zh-CN", "Shanghai", "Huangpu", "950.00"),  # disputes the debt before the visit
}


def _loan(book: Book, borrower: str, amount: str) -> None:
    due = START - timedelta(days=32)
    book.loan(f"L{borrower[1:]}", borrower, [(due.isoformat(), amount), ((due + timedelta(days=30)).isoformat(), amount),
                                            ((due + timedelta(days=60)).isoformat(), amount)])


def _run(book: Book, cfg, first: date, days: int) -> None:
    renderer = EchoRenderer()
    for n in range(days):
        plan_day(book.con, cfg, renderer, first + timedelta(days=n))
        book.send_all_planned()


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """(book, cfg): the book above, planned and sent from 7 to 17 November with the field roster."""
    cfg = with_roster(load_config(), tmp_path_factory.mktemp("roster"))
    con = db.connect()
    book = Book(con)
    for b, (language, city, district, amount) in PEOPLE.items():
        book.borrower(b, language=language, city=city, district=district)
        _loan(book, b, amount)
    book.event("B9", "dispute", "2026-11-12T10:00:00+08:00", loan_id="L9")
    _run(book, cfg, START, DAYS)
    yield book, cfg
    con.close()


def _plan(book: Book, day: date | None = None) -> dict[str, dict]:
    cur = book.con.execute("SELECT * FROM visit_assignments" + (" WHERE plan_date = ?" if day else ""),
                           [day] if day else [])
    cols = [d[0] for d in cur.description]
    return {r["borrower_id"] + ("" if day else f"@{r['plan_date']}"): r
            for r in (dict(zip(cols, row)) for row in cur.fetchall())}


def _visits(book: Book, borrower: str) -> list[tuple[date, str, str | None]]:
    return [(a["planned_for_date"], a["status"], a["suppressed_reason"]) for a in book.attempts(borrower_id=borrower)
            if a["channel"] == "visit"]


def test_visits_go_to_a_pair_of_the_city_grouped_by_district_in_slots_inside_both_shifts(planned):
    book, _ = planned
    monday = _plan(book, MONDAY)
    sh = {b: monday[b] for b in ("B1", "B2", "B3")}
    assert {tuple(r["agent_ids"]) for r in sh.values()} == {("S1", "S2")}
    # a round is one area: the two Huangpu visits first, then Pudong, though B2 outranks B3
    assert [r["borrower_id"] for r in sorted(sh.values(), key=lambda r: r["route_order"])] == ["B1", "B3", "B2"]
    local = {b: (r["slot_start"].astimezone(SHANGHAI).time(), r["slot_end"].astimezone(SHANGHAI).time())
             for b, r in sh.items()}
    # S2 starts at 10:00: the pair's first slot is then, 90 minutes each, never overlapping
    assert local == {"B1": (time(10), time(11, 30)), "B3": (time(11, 30), time(13)), "B2": (time(13), time(14, 30))}
    assert monday["B5"]["agent_ids"] == ["BJ1", "BJ2"] and monday["B5"]["city"] == "Beijing"
    assert monday["B5"]["slot_start"].astimezone(SHANGHAI).time() == time(13)   # the Beijing pair's afternoon shift
    # the visit contact goes in its slot: the window narrowed to it, released at its start
    [visit] = [a for a in book.attempts(borrower_id="B1", status="sent") if a["channel"] == "visit"]
    assert (visit["send_after"], visit["send_before"]) == (sh["B1"]["slot_start"], sh["B1"]["slot_end"])
    assert visit["sent_at"] == sh["B1"]["slot_start"]


def test_a_borrower_speaking_english_gets_a_pair_where_one_speaks_it(planned):
    book, _ = planned
    b8 = _plan(book, MONDAY)["B8"]
    assert b8["outcome"] == "assigned" and b8["agent_ids"] == ["S3", "S4"]


def test_overflow_is_carried_with_field_capacity_and_goes_the_next_working_day(planned):
    """Both Shanghai pairs are full on Monday: the smallest visit (B4) is carried with field_capacity,
    suppressed with that reason (transient), proposed again on Tuesday and assigned then."""
    book, _ = planned
    assert _visits(book, "B4")[-2:] == [(MONDAY, "suppressed", "field_capacity"), (TUESDAY, "sent", None)]
    monday, tuesday = _plan(book, MONDAY)["B4"], _plan(book, TUESDAY)["B4"]
    assert (monday["outcome"], monday["reason"], monday["agent_ids"]) == ("carried", "field_capacity", None)
    assert (tuesday["outcome"], tuesday["carried_days"]) == ("assigned", 1)
    assert tuesday["agent_ids"] == ["S1", "S2"]


def _notices(book: Book, borrower: str) -> list[tuple[date, str, str | None]]:
    return [(a["planned_for_date"], a["status"], a["suppressed_reason"]) for a in book.attempts(borrower_id=borrower)
            if a["step"] == "visit_notice"]


def test_no_city_or_no_pair_for_the_city_is_no_field_pair_and_the_ladder_moves_on(planned):
    """No city on file (B6) or a single field agent in the city (B7): the visit is never planned
    blind; it is suppressed once with no_field_pair (standing: a step that cannot be made) on the
    first working day, not left awaiting_visit_notice, so it is not proposed again every day; its
    plan row says so."""
    book, _ = planned
    for b in ("B6", "B7"):
        assert _visits(book, b)[-1] == (FIRST_MONDAY, "suppressed", "no_field_pair"), b
        assert [v for v in _visits(book, b) if v[0] > FIRST_MONDAY] == [], b
        assert "awaiting_visit_notice" not in {v[2] for v in _visits(book, b)}, b
        row = _plan(book, FIRST_MONDAY)[b]
        assert (row["outcome"], row["reason"], row["agent_ids"]) == ("carried", "no_field_pair", None)


def test_no_city_on_file_withholds_the_notice_and_the_visit_no_field_pair(planned):
    """B6 has no city: no pair could ever visit, so the letter announcing the visit is not sent
    (suppressed no_field_pair, once: it counts as given) and the visit is suppressed no_field_pair."""
    book, _ = planned
    assert _notices(book, "B6") == [(START, "suppressed", "no_field_pair")]
    assert _visits(book, "B6")[-1] == (FIRST_MONDAY, "suppressed", "no_field_pair")
    assert not [a for a in book.attempts(borrower_id="B6") if a["sent_at"] and a["step"] in ("visit_notice", "dpd_30")]


def test_a_city_no_pair_covers_withholds_the_notice_and_the_visit_no_field_pair(planned):
    """B7 lives in Chengdu, where one field agent works: never a pair, so no notice and no visit."""
    book, _ = planned
    assert _notices(book, "B7") == [(START, "suppressed", "no_field_pair")]
    assert _visits(book, "B7")[-1] == (FIRST_MONDAY, "suppressed", "no_field_pair")


def test_where_a_pair_covers_the_city_the_notice_goes_and_the_visit_is_assigned(planned):
    """Shanghai (B1) and Beijing (B5, a pair where one speaks the language): the notice goes as before,
    a week ahead, and the visit is assigned to a pair and made; the audit's new rule has notices to
    check and finds nothing."""
    book, cfg = planned
    for b in ("B1", "B5"):
        assert _notices(book, b) == [(START, "sent", None)], b
        assert _plan(book, MONDAY)[b]["outcome"] == "assigned", b
        assert _visits(book, b)[-1] == (MONDAY, "sent", None), b
    report = run_audit(book.con, cfg, now=datetime(2026, 11, 18, 23, tzinfo=UTC), rules=("visit_notice_no_pair",))
    rule = report.rule("visit_notice_no_pair")
    assert rule.checked >= 6 and rule.ok, rule.rows


def test_no_visit_and_no_plan_row_before_its_notice_or_in_a_pause(planned):
    book, _ = planned
    # awaiting the notice until then (only a visit no pair could make was recorded before: no_field_pair)
    assert min(r["plan_date"] for r in _plan(book).values() if r["reason"] != "no_field_pair") == MONDAY
    assert not [r for r in _plan(book).values() if r["borrower_id"] == "B9"]
    assert (MONDAY, "suppressed", "paused_dispute") in _visits(book, "B9")


def test_capacity_is_per_agent_and_work_date_and_agent_days_hold_the_shifts_used(planned):
    book, _ = planned
    load = book.con.execute("""
        SELECT u.agent_id, va.work_date, count(*) FROM visit_assignments AS va, unnest(va.agent_ids) AS u(agent_id)
        WHERE va.outcome = 'assigned' GROUP BY ALL""").fetchall()
    caps = dict(book.con.execute("SELECT agent_id || '@' || work_date, capacity FROM agent_days").fetchall())
    for agent, day, n in load:
        assert n <= caps[f"{agent}@{day}"], (agent, day, n)
    assert ("S1", MONDAY, 3) in load


def test_replaying_a_day_records_nothing_new_and_decide_writes_nothing(planned):
    book, cfg = planned
    before = book.con.execute("SELECT count(*) FROM visit_assignments").fetchone()[0]
    days_before = book.con.execute("SELECT count(*) FROM agent_days").fetchone()[0]
    report = plan_day(book.con, cfg, EchoRenderer(), MONDAY)
    assert report.already_planned
    decide(book.con, cfg, TUESDAY + timedelta(days=1))
    assert book.con.execute("SELECT count(*) FROM visit_assignments").fetchone()[0] == before
    assert book.con.execute("SELECT count(*) FROM agent_days").fetchone()[0] == days_before


def _report_visits(book: Book, pair: tuple[str, ...] | None = None) -> None:
    """The field team reports every visit made: the assigned pair (or `pair`), an hour into it."""
    book.con.execute("""
        INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, channel, source, external_id,
                                     recorded_at, scope)
        SELECT a.borrower_id, a.loan_id, 'visit_outcome', a.sent_at + INTERVAL 1 HOUR,
               json_object('outcome', 'met', 'attempt_id', a.attempt_id,
                           'collectors', coalesce(?::VARCHAR[], va.agent_ids)),
               'visit', 'test', 'visit:' || a.attempt_id || ':' || coalesce(array_to_string(?::VARCHAR[], ','), 'r'),
               a.sent_at + INTERVAL 1 HOUR, 'loan'
        FROM contact_attempts AS a LEFT JOIN visit_assignments AS va USING (attempt_id)
        WHERE a.channel = 'visit' AND a.sent_at IS NOT NULL
    """, [list(pair) if pair else None, list(pair) if pair else None])


def test_the_audit_passes_the_plan_and_fires_on_a_wrong_pair_and_a_slot_outside_the_shift(planned):
    book, cfg = planned
    con = book.con
    con.execute("BEGIN TRANSACTION")
    try:
        _report_visits(book)
        at = datetime.combine(TUESDAY + timedelta(days=1), time(23), tzinfo=UTC)
        rules = ("visit_slot_window", "visit_pair", "visit_collectors", "visit_notice", "visit_working_days")
        report = run_audit(con, cfg, now=at, rules=rules, show=20)
        assert report.ok, str(report) + str([r.rows for r in report.rules])
        assert report.rule("visit_slot_window").checked == 6 and report.rule("visit_pair").checked == 6
        # a report naming other collectors than the assigned pair
        [(b1,)] = con.execute("SELECT attempt_id FROM visit_assignments WHERE borrower_id = 'B1'").fetchall()
        con.execute("UPDATE borrower_events SET detail = json_object('outcome', 'met', 'attempt_id', ?, "
                    "'collectors', ['S1', 'X9']) WHERE json_extract_string(detail, '$.attempt_id') = ?", [b1, b1])
        # and a slot moved to 07:00 Shanghai, before both the window and the shift
        con.execute("UPDATE visit_assignments SET slot_start = slot_start - INTERVAL 3 HOUR, "
                    "slot_end = slot_end - INTERVAL 3 HOUR WHERE borrower_id = 'B5'")
        report = run_audit(con, cfg, now=at, rules=rules, show=20)
        assert report.rule("visit_pair").violations == 1
        assert "not the assigned pair S1,S2" in report.rule("visit_pair").rows[0]["violation"]
        assert report.rule("visit_slot_window").violations == 1
        assert "outside the shift" in report.rule("visit_slot_window").rows[0]["violation"] \
            or "outside the window" in report.rule("visit_slot_window").rows[0]["violation"]
    finally:
        con.execute("ROLLBACK")


def test_a_visit_made_without_a_pair_is_flagged_once_the_plan_assigns_visits(planned):
    book, cfg = planned
    con = book.con
    con.execute("BEGIN TRANSACTION")
    try:
        _report_visits(book)
        con.execute("DELETE FROM visit_assignments WHERE borrower_id = 'B5'")
        report = run_audit(con, cfg, now=datetime(2026, 11, 18, 23, tzinfo=UTC), rules=("visit_pair",), show=5)
        assert report.rule("visit_pair").violations == 1
        assert "without a pair" in report.rule("visit_pair").rows[0]["violation"]
    finally:
        con.execute("ROLLBACK")


def test_without_a_roster_visits_are_planned_as_before(book, cfg, renderer):
    no_roster = cfg.model_copy(update={"calls": cfg.calls.model_copy(update={"roster": ""})})
    book.borrower("B1", city=None, district=None)
    _loan(book, "B1", "900.00")
    _run(book, no_roster, START, 10)
    assert _visits(book, "B1")[-1] == (MONDAY, "sent", None)
    assert _notices(book, "B1") == [(START, "sent", None)]   # no roster: no city needed, the notice goes
    assert book.con.execute("SELECT count(*) FROM visit_assignments").fetchone()[0] == 0
