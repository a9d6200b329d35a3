"""The re-check before send judges what changed after the plan (issue 11 follow-up): a contact
preference or a zone learned after the day was planned narrows the window of what is still to go
(never widens it), and a `vulnerable` flag recorded after the plan holds the day's contacts to the
reduced caps, counting what was already sent. And when nothing changed, nothing new is suppressed.
Each case runs plan + dispatch on a simulated clock, then the independent audit."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from loan_comms.audit import run_audit
from loan_comms.config import LadderStep
from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.lifecycle.planner import plan_day
from loan_comms.policy import recheck_before_send
from tests.builders import point_row

DAY = date(2026, 11, 2)  # the day after the due date: dpd_1 (one SMS per loan)
SHANGHAI = ZoneInfo("Asia/Shanghai")
AUDIT_RULES = ("quiet_hours", "quiet_hours_every_zone", "vulnerable_limits", "preferences_honoured",
               "sent_within_own_window", "sms_per_day", "sms_per_7_days", "email_per_day", "calls_per_7_days",
               "contacts_per_day")


def _at(day: date, hhmm: str, zone: ZoneInfo = SHANGHAI) -> str:
    """An ISO instant: `hhmm` on `day` in `zone`."""
    return datetime.combine(day, time.fromisoformat(hhmm), zone).isoformat()


def _local(at: datetime, zone: str = "Asia/Shanghai") -> time:
    return at.astimezone(ZoneInfo(zone)).time()


def _audit_ok(book, cfg, rules=AUDIT_RULES):
    report = run_audit(book.con, cfg, now=datetime(2026, 11, 20, tzinfo=UTC), rules=rules, show=20)
    assert report.ok, [r.rows for r in report.rules if not r.ok]


def _by_loan(book, channel="sms"):
    return {r["loan_id"]: r for r in book.attempts(channel=channel)}


def test_a_preference_recorded_after_the_plan_narrows_the_window_and_the_sms_waits(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    plan_day(book.con, cfg, renderer, DAY)
    (planned,) = book.attempts(channel="sms")
    assert _local(planned["send_after"]) == time(8) and _local(planned["send_before"]) == time(22)
    # Before the window opens, the borrower names other hours.
    book.event("B1", "contact_preference", _at(DAY, "07:00"), window=["10:00", "18:00"], avoid_channels=[],
               avoid_places=[])
    dispatch_day(book.con, cfg, DAY)
    (sms,) = book.attempts(channel="sms")
    assert sms["status"] == "sent"
    assert _local(sms["send_after"]) == time(10) and _local(sms["send_before"]) == time(18)   # narrowed
    assert _local(sms["sent_at"]) == time(10)                                                 # not 08:00
    _audit_ok(book, cfg)


def test_a_preference_leaving_no_hour_suppresses_with_no_common_window(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    plan_day(book.con, cfg, renderer, DAY)
    # 06:00-07:00 is outside cn's 08:00-22:00: no hour left today.
    book.event("B1", "contact_preference", _at(DAY, "07:00"), window=["06:00", "07:00"], avoid_channels=[],
               avoid_places=[])
    reports = dispatch_day(book.con, cfg, DAY)
    (sms,) = book.attempts(channel="sms")
    assert (sms["status"], sms["suppressed_reason"]) == ("suppressed", "no_common_window")
    assert _local(sms["send_after"]) == time(8)        # keeps the window it was planned with
    assert sum((Counter(r.cancelled) for r in reports), Counter()) == {"no_common_window": 1}
    _audit_ok(book, cfg)


def test_a_narrowing_outside_the_stored_window_suppresses_even_before_it_opens(book, cfg, renderer):
    """The stored window is 18:00-20:00 (a preference at plan time); a later one says 08:00-12:00:
    the two do not overlap, so nothing of the day is left, known at the first pass."""
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.event("B1", "contact_preference", _at(DAY - timedelta(days=5), "09:00"), window=["18:00", "20:00"],
               avoid_channels=[], avoid_places=[])
    plan_day(book.con, cfg, renderer, DAY)
    book.event("B1", "contact_preference", _at(DAY, "07:00"), window=["08:00", "12:00"], avoid_channels=[],
               avoid_places=[])
    counts = recheck_before_send(book.con, cfg, datetime.fromisoformat(_at(DAY, "09:00")), day=DAY)
    assert counts == {"no_common_window": 1}
    (sms,) = book.attempts(channel="sms")
    assert sms["suppressed_reason"] == "no_common_window" and sms["sent_at"] is None


def test_a_replayed_earlier_pass_never_widens_a_narrowed_window(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    plan_day(book.con, cfg, renderer, DAY)
    book.event("B1", "contact_preference", _at(DAY, "07:00"), window=["10:00", "18:00"], avoid_channels=[],
               avoid_places=[])
    assert recheck_before_send(book.con, cfg, datetime.fromisoformat(_at(DAY, "08:00")), day=DAY) == {}
    (narrowed,) = book.attempts(channel="sms")
    assert narrowed["status"] == "planned" and _local(narrowed["send_after"]) == time(10)
    # Replayed at 06:00, before the preference was known: the wider window it computes changes nothing.
    assert recheck_before_send(book.con, cfg, datetime.fromisoformat(_at(DAY, "06:00")), day=DAY) == {}
    (again,) = book.attempts(channel="sms")
    assert (again["send_after"], again["send_before"], again["status"]) == (
        narrowed["send_after"], narrowed["send_before"], "planned")


def test_a_zone_learned_after_the_plan_moves_the_sms_to_08_00_in_that_zone(book, cfg, renderer):
    """Planned in New York hours; then a Los Angeles number of the borrower's is imported: the SMS
    waits for 08:00 in Los Angeles too (Reg F 1006.6(b)(1) comment 2)."""
    book.borrower("B1", tz="America/New_York", jurisdiction="us", language="en", phone="+12125550100")
    book.loan("L1", "B1", [("2026-11-01", "100.00")], currency="USD")
    plan_day(book.con, cfg, renderer, DAY)
    (planned,) = book.attempts(channel="sms")
    assert _local(planned["send_after"], "America/New_York") == time(8)
    point_row(book.con, "B1", "phone", "+12135550123", place="home",
              added_at=datetime.fromisoformat(_at(DAY, "06:00", ZoneInfo("America/New_York"))))
    dispatch_day(book.con, cfg, DAY)
    (sms,) = book.attempts(channel="sms")
    assert sms["status"] == "sent"
    assert _local(sms["sent_at"], "America/Los_Angeles") == time(8)          # 11:00 in New York
    _audit_ok(book, cfg)


def test_vulnerable_after_the_plan_holds_the_day_to_the_reduced_caps(book, cfg, renderer):
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.loan("L2", "B1", [("2026-11-01", "900.00")])
    plan_day(book.con, cfg, renderer, DAY)
    assert {r["status"] for r in book.attempts(channel="sms")} == {"planned"}   # cn: 2 SMS a day
    book.event("B1", "vulnerable", _at(DAY, "07:00"))                           # [policy.vulnerable]: 1 a day
    reports = dispatch_day(book.con, cfg, DAY)
    sms = _by_loan(book)
    assert sms["L2"]["status"] == "sent"                                         # the largest first
    assert (sms["L1"]["status"], sms["L1"]["suppressed_reason"]) == ("suppressed", "cap_sms_per_day")
    assert sum((Counter(r.cancelled) for r in reports), Counter()) == {"cap_sms_per_day": 1}
    _audit_ok(book, cfg)


def test_vulnerable_after_a_first_sms_went_counts_what_was_already_sent(book, cfg, renderer):
    """L1's SMS goes at 08:00; L2's opens at 12:00 (a later window); the borrower is flagged
    vulnerable at 10:00: L2's SMS would be the second of the day, so it is held back, however large."""
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.loan("L2", "B1", [("2026-11-01", "900.00")])
    plan_day(book.con, cfg, renderer, DAY)
    book.con.execute("UPDATE contact_attempts SET send_after = ? WHERE loan_id = 'L2'",
                     [datetime.fromisoformat(_at(DAY, "12:00"))])
    book.event("B1", "vulnerable", _at(DAY, "10:00"))
    dispatch_day(book.con, cfg, DAY)
    sms = _by_loan(book)
    assert sms["L1"]["status"] == "sent" and _local(sms["L1"]["sent_at"]) == time(8)
    assert (sms["L2"]["status"], sms["L2"]["suppressed_reason"]) == ("suppressed", "cap_sms_per_day")
    _audit_ok(book, cfg)


def test_vulnerable_after_the_plan_counts_the_seven_days_too(book, cfg, renderer):
    """Three SMS already went this week (cn allows 6 in 7 days); flagged vulnerable ([policy.vulnerable]:
    3 in 7 days), today's planned SMS is the fourth: cap_sms_per_7_days."""
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    for n in range(1, 4):
        day = DAY - timedelta(days=n)
        book.contact(attempt_id=f"old{n}", idempotency_key=f"old{n}", borrower_id="B1", loan_id="L1",
                     channel="sms", purpose="reminder", step=f"old{n}", status="sent", planned_for_date=day,
                     send_after=datetime.fromisoformat(_at(day, "08:00")),
                     send_before=datetime.fromisoformat(_at(day, "22:00")),
                     sent_at=datetime.fromisoformat(_at(day, "09:00")), created_at=datetime(2026, 10, 1, tzinfo=UTC),
                     updated_at=datetime(2026, 10, 1, tzinfo=UTC))
    plan_day(book.con, cfg, renderer, DAY)
    assert [r["status"] for r in book.attempts(planned_for_date=DAY, channel="sms")] == ["planned"]
    book.event("B1", "vulnerable", _at(DAY, "07:00"))
    dispatch_day(book.con, cfg, DAY)
    (sms,) = book.attempts(planned_for_date=DAY, channel="sms")
    assert (sms["status"], sms["suppressed_reason"]) == ("suppressed", "cap_sms_per_7_days")


def test_nothing_changed_since_the_plan_nothing_new_is_suppressed_at_send_time(book, cfg, renderer):
    """Caps that bind at plan time (three loans of one borrower, a phone shared by two borrowers,
    two zones) over two weeks of plan + dispatch: every contact planned is sent, in the window it was
    planned with; the re-check suppresses nothing and narrows nothing."""
    first = LadderStep(step="dpd_1", min_dpd=1, channels=("sms", "email", "call"), severity=1)
    cfg = cfg.model_copy(update={"ladder": (first, *cfg.ladder[1:])})
    book.borrower("B1")
    for n, amount in enumerate(("100.00", "200.00", "300.00"), start=1):
        book.loan(f"L1{n}", "B1", [("2026-11-01", amount), ("2026-11-08", amount)])
    book.borrower("B2", phone="+8613800000042")
    book.borrower("B3", phone="+8613800000042")                   # a family phone
    book.loan("L2", "B2", [("2026-11-01", "100.00")])
    book.loan("L3", "B3", [("2026-11-01", "500.00")])
    book.borrower("B4", tz="America/New_York", jurisdiction="us", language="en", phone="+12135550123")
    book.loan("L4", "B4", [("2026-11-01", "100.00")], currency="USD")
    plan_time_caps: Counter[str] = Counter()
    cancelled: Counter[str] = Counter()
    for offset in range(-4, 12):
        day = DAY + timedelta(days=offset)
        plan_day(book.con, cfg, renderer, day)
        planned = {r["attempt_id"]: (r["send_after"], r["send_before"])
                   for r in book.attempts(planned_for_date=day, status="planned")}
        plan_time_caps.update(r["suppressed_reason"] for r in book.attempts(planned_for_date=day, status="suppressed")
                              if r["suppressed_reason"].startswith("cap_"))
        for report in dispatch_day(book.con, cfg, day):
            cancelled.update(report.cancelled)
        after = {r["attempt_id"]: r for r in book.attempts(planned_for_date=day)}
        for attempt_id, window in planned.items():
            row = after[attempt_id]
            assert row["status"] == "sent", (day, row)
            assert (row["send_after"], row["send_before"]) == window, (day, row)
    assert cancelled == Counter()
    assert {"cap_sms_per_day", "cap_email_per_day"} <= set(plan_time_caps)   # the caps did bind
    _audit_ok(book, cfg)
