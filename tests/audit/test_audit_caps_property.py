"""The audit's SQL counting (local days, rolling 7x24h windows, same-instant contacts, quiet hours)
agrees with a plain Python reading of the same rules on random contact logs."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.config import load_config
from tests.builders import insert

CFG = load_config()
ZONES = ("Asia/Shanghai", "America/Los_Angeles", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe")
PROFILES = ("cn", "us", "uk", "nowhere")
CHANNELS = ("sms", "sms", "sms", "email", "call", "call", "letter")
BASE = datetime(2026, 3, 25, 0, 0, tzinfo=UTC)  # around the European and US DST changes

borrowers = st.lists(st.tuples(st.sampled_from(ZONES), st.sampled_from(PROFILES)), min_size=1, max_size=3)
contacts = st.lists(st.tuples(st.integers(0, 2), st.sampled_from(CHANNELS), st.integers(0, 16 * 48)),
                    min_size=1, max_size=40)


def expected(people: list[tuple[str, str]], log: list[tuple[str, int, str, datetime]]) -> dict[str, int]:
    """Violations per rule, counted the slow and obvious way."""
    out: dict[str, int] = defaultdict(int)
    by_borrower: dict[int, list[tuple[str, int, str, datetime]]] = defaultdict(list)
    for row in log:
        by_borrower[row[1]].append(row)
    for b, rows in by_borrower.items():
        tz, profile = people[b]
        prof = CFG.profile(profile)
        zone = ZoneInfo(tz)
        rows.sort(key=lambda r: (r[3], r[0]))
        day = lambda r: r[3].astimezone(zone).date()  # noqa: E731
        for rule, channels, cap in (("sms_per_day", {"sms"}, prof.sms_per_day),
                                    ("email_per_day", {"email"}, prof.email_per_day),
                                    ("contacts_per_day", set(CHANNELS), prof.contacts_per_day)):
            seen: dict[object, int] = defaultdict(int)
            for r in rows:
                if r[2] in channels:
                    seen[day(r)] += 1
                    out[rule] += seen[day(r)] > cap
        for rule, channel, cap in (("sms_per_7_days", "sms", prof.sms_per_7_days),
                                   ("calls_per_7_days", "call", prof.calls_per_7_days)):
            mine = [r for r in rows if r[2] == channel]
            for i, r in enumerate(mine):
                n = sum(1 for q in mine[: i + 1] if r[3] - q[3] <= timedelta(days=7))
                out[rule] += n > cap
        for r in rows:
            if r[2] == "letter":
                continue
            local = r[3].astimezone(zone).time()
            out["quiet_hours"] += not (prof.window_start <= local < prof.window_end)
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=borrowers, picks=contacts)
def test_caps_and_quiet_hours_match_a_python_reading(people: list[tuple[str, str]],
                                                     picks: list[tuple[int, str, int]]) -> None:
    con = db.connect()
    try:
        for b, (tz, profile) in enumerate(people):
            insert(con, "borrowers", borrower_id=f"B{b}", full_name="X", language="en", timezone=tz, jurisdiction=profile,
                   phone_e164=f"+1555000{b}", email=f"b{b}@x.org")
            insert(con, "loans", loan_id=f"L{b}", borrower_id=f"B{b}", product="p", principal=1, currency="CNY")
        log = []
        for i, (b, channel, half_hours) in enumerate(picks):
            b %= len(people)
            at = BASE + timedelta(minutes=30 * half_hours)
            log.append((f"A{i:03d}", b, channel, at))
            insert(con, "contact_attempts", attempt_id=f"A{i:03d}", idempotency_key=f"k{i}", borrower_id=f"B{b}",
                   loan_id=f"L{b}", channel=channel, purpose="follow_up", step="payment_confirmation", status="sent",
                   decided_by_rule="allowed", policy_version="t", planned_for_date=at.date(), send_after=at,
                   send_before=at + timedelta(minutes=1), created_at=at, updated_at=at, sent_at=at)
        report = run_audit(con, CFG, now=BASE + timedelta(days=30), show=0)
        want = expected(people, log)
        got = {r.name: r.violations for r in report.rules}
        for rule in ("sms_per_day", "email_per_day", "contacts_per_day", "sms_per_7_days", "calls_per_7_days",
                     "quiet_hours"):
            assert got[rule] == want[rule], (rule, got[rule], want[rule])
        for rule in ("sent_within_own_window", "third_parties", "nothing_lost", "opt_out_honoured"):
            assert got[rule] == 0, rule
    finally:
        con.close()

