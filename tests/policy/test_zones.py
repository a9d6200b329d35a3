"""Where the person is (issue 11, cases 1 and 2): the window is the intersection over every zone
the borrower may be in, with the strictest profile that applies; vulnerable limits and contact
preferences. Each case runs plan + dispatch on a simulated clock, then the independent audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.config import LadderStep
from loan_comms.delivery.day_dispatch import dispatch_day
from loan_comms.lifecycle.planner import decide, plan_day
from loan_comms.policy import zones
from loan_comms.policy.zones import lookup, phone_zone_rows

DAY = date(2026, 11, 2)  # the day after the due date: dpd_1
AUDIT_RULES = ("quiet_hours", "quiet_hours_every_zone", "vulnerable_limits", "preferences_honoured",
               "sent_within_own_window")


def _sms_and_call_first(cfg):
    """A first ladder step that texts and calls, so one day shows both."""
    first = LadderStep(step="dpd_1", min_dpd=1, channels=("sms", "call"), severity=1)
    return cfg.model_copy(update={"ladder": (first, *cfg.ladder[1:])})


def _run(book, cfg, renderer, day=DAY):
    plan_day(book.con, cfg, renderer, day)
    dispatch_day(book.con, cfg, day)
    return book.attempts()


def _sent(rows):
    return [r for r in rows if r["sent_at"] is not None]


def _local(at: datetime, zone: str) -> time:
    return at.astimezone(ZoneInfo(zone)).time()


def _audit_ok(book, cfg):
    report = run_audit(book.con, cfg, now=datetime(2026, 11, 4, tzinfo=UTC), rules=AUDIT_RULES, show=20)
    assert report.ok, [r.rows for r in report.rules if not r.ok]


def test_phone_lookup_gives_area_code_zones_and_regions():
    assert lookup("+12135550123") == (["America/Los_Angeles"], "US")
    assert lookup("+14155550123") == (["America/Los_Angeles"], "US")
    assert lookup("+8613812345678") == (["Asia/Shanghai"], "CN")
    assert lookup("not a number") == ([], None)
    table = phone_zone_rows(["+12135550123", "+12135550123", "+447700900123"]).to_pylist()
    assert table == [{"phone": "+12135550123", "zone": "America/Los_Angeles", "region": "US"},
                     {"phone": "+447700900123", "zone": None, "region": "GB"}]  # once per number


def test_a_number_is_looked_up_once_and_its_stored_lookup_judges_later_days(book, cfg, renderer, monkeypatch):
    """The plan stores the lookups it made (phone_lookups); a later day reads them instead of looking
    the number up again, and judges exactly as a fresh lookup would (one under another library
    version is not used)."""
    cfg = _sms_and_call_first(cfg)
    book.borrower("B1", tz="Europe/London", jurisdiction="us", language="en", phone="+14155550123")
    book.loan("L1", "B1", [("2026-11-01", "100.00")], currency="USD")
    book.loan("L2", "B1", [("2026-11-05", "100.00")], currency="USD")   # pre_due_1 on DAY + 2
    plan_day(book.con, cfg, renderer, DAY)
    stored = book.con.execute("SELECT phone, zone, region, numbering_plan FROM phone_lookups").fetchall()
    assert stored == [("+14155550123", "America/Los_Angeles", "US", zones.NUMBERING_PLAN)]
    later = DAY + timedelta(days=2)
    with monkeypatch.context() as m:   # another library version: the stored lookup is not used
        m.setattr(zones, "NUMBERING_PLAN", "phonenumbers 0.0")
        fresh = decide(book.con, cfg, later).to_pylist()
        assert book.con.execute("SELECT count(*) FROM phone_lookups_new").fetchall() == [(1,)]

    def no_lookup(phone):
        raise AssertionError(f"{phone} looked up again")

    monkeypatch.setattr(zones, "_lookup", no_lookup)
    again = decide(book.con, cfg, later).to_pylist()
    assert again == fresh and [d["step"] for d in again if d["channel"] == "sms"] == ["pre_due_1"]
    plan_day(book.con, cfg, renderer, later)   # nothing looked up, so nothing new stored
    assert book.con.execute("SELECT count(*) FROM phone_lookups").fetchall() == [(1,)]


def test_case_1_new_york_on_file_with_a_los_angeles_phone_waits_for_08_00_in_los_angeles(book, cfg, renderer):
    cfg = _sms_and_call_first(cfg)
    book.borrower("B1", tz="America/New_York", jurisdiction="us", language="en", phone="+12135550123")
    book.borrower("B2", tz="Europe/London", jurisdiction="us", language="en", phone="+14155550123")
    book.loan("L1", "B1", [("2026-11-01", "100.00")], currency="USD")
    book.loan("L2", "B2", [("2026-11-01", "100.00")], currency="USD")
    sent = _sent(_run(book, cfg, renderer))
    assert {(r["borrower_id"], r["channel"]) for r in sent} == {("B1", "sms"), ("B1", "call"), ("B2", "sms"),
                                                               ("B2", "call")}
    for r in sent:
        zones = ["America/Los_Angeles", "America/New_York" if r["borrower_id"] == "B1" else "Europe/London"]
        for zone in zones:  # 08:00-21:00 in every zone the borrower may be in
            assert time(8) <= _local(r["sent_at"], zone) < time(21), (r["borrower_id"], zone, r["sent_at"])
    b2 = [r for r in sent if r["borrower_id"] == "B2"][0]
    assert _local(b2["send_after"], "America/Los_Angeles") == time(8)      # 16:00 in London
    assert _local(b2["send_before"], "Europe/London") == time(21)           # 13:00 in Los Angeles
    _audit_ok(book, cfg)


def test_case_2_a_cn_label_on_a_us_phone_gets_the_us_window(book, cfg, renderer):
    book.borrower("B1", tz="America/New_York", jurisdiction="cn", phone="+12125550100")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    (row,) = [r for r in _run(book, cfg, renderer) if r["channel"] == "sms"]
    assert _local(row["send_before"], "America/New_York") == time(21)       # us ends at 21:00, not cn's 22:00
    assert row["sent_at"] is not None and _local(row["sent_at"], "America/New_York") < time(21)
    _audit_ok(book, cfg)


def test_case_2_a_cn_label_on_file_in_new_york_with_a_chinese_phone_gets_the_overlap_only(book, cfg, renderer):
    book.borrower("B1", tz="America/New_York", jurisdiction="cn", phone="+8613812345678")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    (row,) = [r for r in _run(book, cfg, renderer) if r["channel"] == "sms"]
    # New York 08:00-22:00 and Shanghai 08:00-22:00 of the same day overlap 08:00-09:00 New York.
    assert _local(row["send_after"], "America/New_York") == time(8)
    assert _local(row["send_before"], "Asia/Shanghai") == time(22)
    _audit_ok(book, cfg)


def test_no_common_window_suppresses_when_the_zones_never_overlap(book, cfg, renderer):
    # Shanghai 08:00-22:00 is 00:00-14:00 UTC; Los Angeles 08:00-21:00 is 16:00-05:00 UTC: no overlap.
    book.borrower("B1", tz="Asia/Shanghai", jurisdiction="cn", phone="+12135550123")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    decisions = decide(book.con, cfg, DAY).to_pylist()
    assert {d["suppressed_reason"] for d in decisions if d["channel"] == "sms"} == {"no_common_window"}
    rows = _run(book, cfg, renderer)
    assert _sent([r for r in rows if r["channel"] == "sms"]) == []            # never sent
    _audit_ok(book, cfg)


def test_vulnerable_borrower_gets_no_calls_and_reduced_caps(book, cfg, renderer):
    cfg = _sms_and_call_first(cfg)
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.loan("L2", "B1", [("2026-11-01", "900.00")])
    book.event("B1", "vulnerable", "2026-10-20T09:00:00+08:00")
    decisions = decide(book.con, cfg, DAY).to_pylist()
    by = {(d["loan_id"], d["channel"]): d["suppressed_reason"] for d in decisions}
    assert by[("L1", "call")] == by[("L2", "call")] == "vulnerable_no_calls"
    assert by[("L2", "sms")] is None and by[("L1", "sms")] == "cap_sms_per_day"  # one SMS a day, largest first
    rows = _run(book, cfg, renderer)
    assert [r["channel"] for r in _sent(rows)] == ["sms"]
    _audit_ok(book, cfg)


def test_vulnerable_ended_lifts_the_limits(book, cfg):
    cfg = _sms_and_call_first(cfg)
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.event("B1", "vulnerable", "2026-10-20T09:00:00+08:00")
    book.event("B1", "vulnerable_ended", "2026-10-25T09:00:00+08:00")
    assert {d["suppressed_reason"] for d in decide(book.con, cfg, DAY).to_pylist()} == {None}


def test_contact_preference_avoids_a_channel_and_narrows_the_window(book, cfg, renderer):
    cfg = _sms_and_call_first(cfg)
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.event("B1", "contact_preference", "2026-10-20T09:00:00+08:00", window=["08:00", "12:00"],
               avoid_channels=["call"], avoid_places=[])
    book.event("B1", "contact_preference", "2026-10-21T09:00:00+08:00", window=["18:00", "20:00"],
               avoid_channels=["sms"], avoid_places=[])  # the later one replaces the earlier
    decisions = {d["channel"]: d for d in decide(book.con, cfg, DAY).to_pylist()}
    assert decisions["sms"]["suppressed_reason"] == "preference_channel"
    assert decisions["call"]["suppressed_reason"] is None
    assert _local(decisions["call"]["send_after"], "Asia/Shanghai") == time(18)
    assert _local(decisions["call"]["send_before"], "Asia/Shanghai") == time(20)
    rows = _run(book, cfg, renderer)
    assert [r["channel"] for r in _sent(rows)] == ["call"]
    _audit_ok(book, cfg)


def test_a_letter_goes_even_when_the_zones_share_no_hour(book, cfg):
    """A posted letter is not heard at a time of day (the audit's quiet hours leave letters out), and a
    required notice by letter must still go: no_common_window does not apply to letters, which take
    the window on the clock of the timezone on file. The SMS of the same step is still suppressed."""
    letter = LadderStep(step="dpd_1", min_dpd=1, channels=("letter", "sms"), severity=1)
    cfg = cfg.model_copy(update={"ladder": (letter, *cfg.ladder[1:])})
    book.borrower("B1", tz="Asia/Shanghai", jurisdiction="cn", phone="+12135550123")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    got = {d["channel"]: d for d in decide(book.con, cfg, DAY).to_pylist()}
    assert got["sms"]["suppressed_reason"] == "no_common_window"
    assert got["letter"]["suppressed_reason"] is None
    assert _local(got["letter"]["send_after"], "Asia/Shanghai") == time(8)
    assert _local(got["letter"]["send_before"], "Asia/Shanghai") == time(21)   # the strictest hours (us)


ZONES = ["Asia/Shanghai", "America/New_York", "America/Los_Angeles", "Europe/London"]
PHONES = ["+8613812345678", "+12135550123", "+12125550100", "+442079460000", None]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(st.tuples(st.sampled_from(ZONES), st.sampled_from(PHONES),
                                 st.sampled_from(["cn", "us", "uk", "nowhere"])), min_size=1, max_size=4))
def test_every_sent_contact_is_inside_every_plausible_zones_window(cfg, renderer, people):
    """Mismatched zones, phones and labels: whatever is sent is inside the strictest applicable
    window in the zone on file and in every zone of the phone (computed here, not by the planner)."""
    con = db.connect()
    try:
        from tests.builders import Book

        book = Book(con)
        cfg2 = _sms_and_call_first(cfg)
        for n, (zone, phone, jurisdiction) in enumerate(people):
            book.borrower(f"B{n}", tz=zone, phone=phone, jurisdiction=jurisdiction)
            book.loan(f"L{n}", f"B{n}", [("2026-11-01", "100.00")])
        rows = _run(book, cfg2, renderer)
        profiles = cfg2.policy.profiles
        for r in _sent(rows):
            zone, phone, jurisdiction = people[int(r["borrower_id"][1:])]
            applying = {jurisdiction if jurisdiction in profiles else "default"}
            zones = {zone}
            if phone:
                phone_zones, region = lookup(phone)
                zones |= set(phone_zones)
                applying |= {name for name, p in profiles.items() if region in p.countries}
            start = max(profiles[p].window_start for p in applying)
            end = min(profiles[p].window_end for p in applying)
            for z in zones:
                assert start <= _local(r["sent_at"], z) < end, (people, r["borrower_id"], z, r["sent_at"])
            assert r["sent_at"] - r["send_after"] < timedelta(hours=24)
    finally:
        con.close()
