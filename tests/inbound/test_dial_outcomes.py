"""Every dial outcome from the dialer, with its agent and recording, and what each one does.

Why: outcomes are where the phone's harm is decided. A "call me Thursday at 3" must produce that
call, at 3, even inside the cooldown the conversation started; "I can't pay, I lost my job" must pause
every ladder and offer a plan, as if texted; a dispute must pause the loan called about; a wrong
number must stop the number for everyone on it; a busy line must count as a dial and change nothing
else. Bad rows (an outcome we do not know, a promise without its amount, a callback in the past, an
agent not on the day's roster, a recording "reference" that is not one) are quarantined with their
line and reason, and a re-ingested file records nothing new.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from loan_comms.config import LifecycleConfig
from loan_comms.inbound.events import ingest_call_outcomes
from loan_comms.lifecycle.planner import plan_day
from tests.builders import Book, EchoRenderer, insert

NOW = datetime(2026, 11, 6, 14, 0, tzinfo=UTC)
DIAL = "2026-11-06T10:00:00+08:00"
SHARED = "+8613800000077"


def _called(book: Book, cfg: LifecycleConfig, *, loans: tuple[str, ...] = ("L1",),
            sharer: str | None = None) -> str:
    """B1 (Shanghai) owes on `loans` since 1 Nov; the ladder runs to the dpd_5 call of 6 Nov, which
    is released. `sharer`: a second borrower with her own overdue loan on B1's phone number."""
    book.borrower("B1", phone=SHARED if sharer else "own")
    for loan in loans:
        book.loan(loan, "B1", [("2026-11-01", "500.00")])
    if sharer:
        book.borrower(sharer, phone=SHARED)
        book.loan("L9", sharer, [("2026-11-01", "500.00")])
    for d in range(2, 7):
        plan_day(book.con, cfg, EchoRenderer(), date(2026, 11, d))
        book.send_all_planned()
    return str(next(a for a in book.attempts(channel="call", borrower_id="B1") if a["status"] == "sent")["attempt_id"])


def _ingest(book: Book, tmp_path: Path, rows: list[dict[str, Any]], name: str = "dialer.jsonl"):
    f = tmp_path / name
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return ingest_call_outcomes(book.con, f, now=NOW)


def _plan(book: Book, cfg: LifecycleConfig, day: date) -> list[dict[str, Any]]:
    plan_day(book.con, cfg, EchoRenderer(), day)
    rows = book.attempts(planned_for_date=day)
    book.send_all_planned()
    return rows


def _events(book: Book) -> list[tuple[Any, ...]]:
    return book.con.execute("SELECT external_id, kind, loan_id, scope, source, detail FROM borrower_events "
                            "ORDER BY external_id").fetchall()


def test_every_outcome_recorded_with_agent_recording_and_what_was_said(book, cfg, tmp_path):
    call = _called(book, cfg)
    rows = [{"attempt_id": call, "dial_seq": n, "outcome": outcome, "occurred_at": DIAL, "agent_id": "AG-7",
             **extra}
            for n, (outcome, extra) in enumerate([
                ("no_answer", {}), ("busy", {}), ("voicemail", {}), ("reached", {"recording_ref": "rec:1"}),
                ("promise_to_pay", {"promised_date": "2026-11-10", "amount": "120.50"}),
                ("hardship_request", {}), ("dispute", {}), ("refused", {}),
                ("callback_requested", {"callback_at": "2026-11-07T14:30:00+08:00",
                                        "recording_ref": "s3://calls/2026/11/06/x.wav"})], start=1)]
    # AG-7 of an older dialer set-up: the call as planned without a roster (the shipped one assigns it)
    book.con.execute("DELETE FROM call_assignments WHERE attempt_id = ?", [call])
    first = _ingest(book, tmp_path, rows)
    again = _ingest(book, tmp_path, rows)
    assert (first.read, first.recorded, first.quarantined) == (9, 9, 0), str(first)
    assert "with them 1 callback_request, 1 dispute, 1 hardship_request event(s)" in str(first)
    assert (again.recorded, again.duplicates) == (0, 9), "re-ingesting doubles nothing, companions included"
    got = {e[0]: e for e in _events(book)}
    assert len(got) == 12
    dial = json.loads(got[f"call:{call}:4"][5])
    assert dial == {"outcome": "reached", "attempt_id": call, "dial_seq": 4, "agent_id": "AG-7",
                    "recording_ref": "rec:1"}
    assert book.con.execute("SELECT amount FROM borrower_events WHERE external_id = ?",
                            [f"call:{call}:5"]).fetchone()[0] == pytest.approx(120.50)
    # what the person said, as its own kind (source dialer), keyed from the dial's id
    assert got[f"call:{call}:6:hardship_request"][1:5] == ("hardship_request", "L1", "borrower", "dialer")
    assert got[f"call:{call}:7:dispute"][1:5] == ("dispute", "L1", "loan", "dialer")
    callback = got[f"call:{call}:9:callback_request"]
    assert callback[1:5] == ("callback_request", "L1", "borrower", "dialer")
    assert json.loads(callback[5]) == {"attempt_id": call, "dial": f"call:{call}:9", "agent_id": "AG-7",
                                       "on": "2026-11-07", "from": "14:30", "to": "15:30"}


def test_bad_rows_quarantined_with_their_reason_and_the_good_ones_land(book, cfg, tmp_path):
    call = _called(book, cfg)
    # the plan gave the call to AG1 (on shift 09:00-18:00 on 6 Nov); AG9 worked 2 Nov only
    start = datetime(2026, 11, 6, 1, 0, tzinfo=UTC)
    for agent, day in (("AG1", date(2026, 11, 6)), ("AG9", date(2026, 11, 2))):
        shift = start - timedelta(days=(date(2026, 11, 6) - day).days)
        insert(book.con, "agent_days", agent_id=agent, work_date=day, team="cn-zh", languages=["zh-CN"], skills=[],
               cities=[], capacity=40, timezone="Asia/Shanghai", shift_start=shift, shift_end=shift + timedelta(hours=9),
               recorded_at=shift)
    book.con.execute("DELETE FROM call_assignments WHERE attempt_id = ?", [call])   # the shipped roster's
    insert(book.con, "call_assignments", attempt_id=call, plan_date=date(2026, 11, 6), borrower_id="B1", loan_id="L1",
           step="dpd_5", team="cn-zh", agent_id="AG1", work_date=date(2026, 11, 6), slot_start=start,
           slot_end=start + timedelta(minutes=15), queue_rank=1, priority_score=1.0, priority_reasons="[]",
           required_skills=[], outcome="assigned", max_dials=3, dial_until=start + timedelta(hours=8),
           recorded_at=start)
    base = {"attempt_id": call, "occurred_at": DIAL}
    report = _ingest(book, tmp_path, [
        {**base, "dial_seq": 1, "outcome": "reached", "agent_id": "AG1", "recording_ref": "rec-1"},
        {**base, "dial_seq": 2, "outcome": "hung_up"},
        {**base, "dial_seq": 3, "outcome": "promise_to_pay", "promised_date": "2026-11-10"},
        {**base, "dial_seq": 4, "outcome": "callback_requested", "callback_date": "2026-11-05"},
        {**base, "dial_seq": 5, "outcome": "callback_requested", "callback_at": "2026-11-06T09:00:00+08:00"},
        {**base, "dial_seq": 6, "outcome": "callback_requested", "callback_date": "2026-12-01"},
        {**base, "dial_seq": 7, "outcome": "callback_requested", "callback_date": "2026-11-06",
         "callback_from": "08:00", "callback_to": "09:00"},
        {**base, "dial_seq": 8, "outcome": "reached", "agent_id": "AG9"},
        {**base, "dial_seq": 9, "outcome": "reached", "agent_id": "Wang Wei"},
        {**base, "dial_seq": 10, "outcome": "reached", "recording_ref": "my recording.wav"},
        {**base, "dial_seq": 11, "outcome": "reached", "recording_ref": "x" * 201},
        {**base, "dial_seq": 12, "outcome": "no_answer", "callback_date": "2026-11-07"},
        {**base, "dial_seq": 13, "outcome": "callback_requested"},
    ])
    assert report.recorded == 1
    assert report.rejected == [
        "line 2: outcome 'hung_up' is not one of no_answer, busy, voicemail, reached, promise_to_pay, "
        "hardship_request, dispute, wrong_number, refused, callback_requested",
        "line 3: promise_to_pay needs the amount promised",
        "line 4: callback_date 2026-11-05 is before the day of the dial (2026-11-06, local)",
        "line 5: callback_at 2026-11-06T09:00:00+08:00 is not after the dial (2026-11-06T10:00:00+08:00)",
        "line 6: callback_date 2026-12-01 is more than 14 days after the dial",
        "line 7: callback 2026-11-06 08:00-09:00 (local) has already passed at the dial (10:00 local)",
        "line 8: agent_id 'AG9' is not on the roster of this call's day (no shift of theirs in the assigned "
        "agent's team overlaps the call's window)",
        "line 9: agent_id 'Wang Wei' is not an agent id (letters, digits, . _ : - ; at most 64)",
        "line 10: recording_ref contains spaces or control characters (an id or a URI, without spaces)",
        "line 11: recording_ref is 201 characters (at most 200: a reference, never the recording)",
        "line 12: callback_date is only for outcome callback_requested, not no_answer",
        "line 13: callback_requested needs callback_at (an instant) or callback_date (YYYY-MM-DD, local)",
    ]
    assert book.con.execute("SELECT count(*) FROM import_quarantine WHERE entity = 'call_outcome'").fetchone()[0] == 12


def test_a_dial_by_a_teammate_on_shift_is_kept_one_by_another_team_is_refused(book, cfg, tmp_path):
    """The plan gave the call to AG1 of team cn-zh. AG2, a teammate on shift, dialled it: the dial
    happened, it is kept (the caps count it; the audit dial_attempts flags it as not AG1's). AG5 of
    team en-us, on shift too, is no one who could have been given this call: refused (review 16, b)."""
    call = _called(book, cfg)
    start = datetime(2026, 11, 6, 1, 0, tzinfo=UTC)
    for agent, team in (("AG1", "cn-zh"), ("AG2", "cn-zh"), ("AG5", "en-us")):
        insert(book.con, "agent_days", agent_id=agent, work_date=date(2026, 11, 6), team=team, languages=["zh-CN"],
               skills=[], cities=[], capacity=40, timezone="Asia/Shanghai", shift_start=start,
               shift_end=start + timedelta(hours=9), recorded_at=start)
    book.con.execute("DELETE FROM call_assignments WHERE attempt_id = ?", [call])   # the shipped roster's
    insert(book.con, "call_assignments", attempt_id=call, plan_date=date(2026, 11, 6), borrower_id="B1", loan_id="L1",
           step="dpd_5", team="cn-zh", agent_id="AG1", work_date=date(2026, 11, 6), slot_start=start,
           slot_end=start + timedelta(minutes=15), queue_rank=1, priority_score=1.0, priority_reasons="[]",
           required_skills=[], outcome="assigned", max_dials=3, dial_until=start + timedelta(hours=8),
           recorded_at=start)
    base = {"attempt_id": call, "occurred_at": DIAL}
    report = _ingest(book, tmp_path, [{**base, "dial_seq": 1, "outcome": "no_answer", "agent_id": "AG2"},
                                      {**base, "dial_seq": 2, "outcome": "no_answer", "agent_id": "AG5"}])
    assert report.recorded == 1
    assert report.rejected == ["line 2: agent_id 'AG5' is not on the roster of this call's day (no shift of theirs "
                               "in the assigned agent's team overlaps the call's window)"]


def _reasons(rows: list[dict[str, Any]], **where: Any) -> set[tuple[Any, ...]]:
    return {(a["borrower_id"], a["loan_id"], a["step"], a["channel"], a["suppressed_reason"])
            for a in rows if all(a[k] == v for k, v in where.items())}


@pytest.mark.parametrize(("outcome", "reason"), [("refused", "cap_call_cooldown"), ("busy", None),
                                                 ("voicemail", None)])
def test_a_refusal_starts_the_cooldown_a_busy_line_or_voicemail_does_not(book, cfg, tmp_path, outcome, reason):
    call = _called(book, cfg)
    _ingest(book, tmp_path, [{"attempt_id": call, "dial_seq": 1, "outcome": outcome, "occurred_at": DIAL}])
    day = _plan(book, cfg, date(2026, 11, 11))
    assert _reasons(day, channel="call") == {("B1", "L1", "dpd_10", "call", reason)}


def test_hardship_on_the_phone_pauses_the_ladder_and_offers_a_plan(book, cfg, tmp_path):
    call = _called(book, cfg)
    _ingest(book, tmp_path, [{"attempt_id": call, "outcome": "hardship_request", "occurred_at": DIAL}])
    offers = _plan(book, cfg, date(2026, 11, 7))
    assert {(a["step"], a["status"]) for a in offers} >= {("hardship_offer", "planned")}
    later = _plan(book, cfg, date(2026, 11, 11))
    assert {a["suppressed_reason"] for a in later if a["step"] == "dpd_10"} == {"paused_hardship"}


def test_a_dispute_on_the_phone_pauses_the_loan_called_about(book, cfg, tmp_path):
    call = _called(book, cfg, loans=("L1", "L2"))
    called_loan = book.con.execute("SELECT loan_id FROM contact_attempts WHERE attempt_id = ?", [call]).fetchone()[0]
    _ingest(book, tmp_path, [{"attempt_id": call, "outcome": "dispute", "occurred_at": DIAL}])
    day = _plan(book, cfg, date(2026, 11, 11))
    by_loan = {a["loan_id"]: a["suppressed_reason"] for a in day if a["step"] == "dpd_10" and a["channel"] == "sms"}
    assert by_loan[called_loan] == "paused_dispute"
    assert [r for loan, r in by_loan.items() if loan != called_loan] != ["paused_dispute"]


def test_a_wrong_number_stops_the_number_for_both_borrowers_on_it(book, cfg, tmp_path):
    call = _called(book, cfg, sharer="B2")
    _ingest(book, tmp_path, [{"attempt_id": call, "outcome": "wrong_number", "occurred_at": DIAL}])
    day = _plan(book, cfg, date(2026, 11, 11))
    phone = {(a["borrower_id"], a["channel"]): a["suppressed_reason"] for a in day if a["channel"] in ("sms", "call")}
    assert phone == {("B1", "sms"): "point_unusable", ("B1", "call"): "point_unusable",
                     ("B2", "sms"): "point_unusable", ("B2", "call"): "point_unusable"}


def test_a_callback_asked_on_the_phone_is_planned_at_the_hours_asked_inside_the_cooldown(book, cfg, tmp_path):
    """The conversation of 6 Nov starts a 7-day cooldown; the callback the person asked for on 9 Nov,
    15:00-16:00, is their consent to that call (Reg F 1006.14(b)(3)(i)): it goes, in those hours."""
    call = _called(book, cfg)
    _ingest(book, tmp_path, [{"attempt_id": call, "outcome": "callback_requested", "occurred_at": DIAL,
                              "callback_date": "2026-11-09", "callback_from": "15:00", "callback_to": "16:00"}])
    [callback] = [a for a in _plan(book, cfg, date(2026, 11, 9)) if a["channel"] == "call"]
    assert (callback["step"], callback["status"]) == ("callback", "planned"), callback
    assert (callback["send_after"], callback["send_before"]) == (datetime(2026, 11, 9, 7, tzinfo=UTC),
                                                                 datetime(2026, 11, 9, 8, tzinfo=UTC))
    # any other call inside the cooldown is still held
    assert _reasons(_plan(book, cfg, date(2026, 11, 11)), channel="call") == {
        ("B1", "L1", "dpd_10", "call", "cap_call_cooldown")}


def test_a_callback_asked_by_text_after_one_booked_on_the_phone_still_waits_for_the_cooldown(book, cfg, tmp_path):
    """The callback booked on the phone on 6 Nov goes on 9 Nov. On 10 Nov the person texts "call me
    tomorrow": that callback answers the text, not the phone booking, so the cooldown of the 6 Nov
    conversation (to 13 Nov) holds it (review 16, item e)."""
    call = _called(book, cfg)
    _ingest(book, tmp_path, [{"attempt_id": call, "outcome": "callback_requested", "occurred_at": DIAL,
                              "callback_date": "2026-11-09", "callback_from": "15:00", "callback_to": "16:00"}])
    [callback] = [a for a in _plan(book, cfg, date(2026, 11, 9)) if a["channel"] == "call"]
    assert (callback["step"], callback["status"]) == ("callback", "planned")
    insert(book.con, "borrower_events", borrower_id="B1", loan_id="L1", kind="callback_request", channel="call",
           occurred_at=datetime(2026, 11, 10, 2, tzinfo=UTC), detail=json.dumps({"on": "2026-11-11"}),
           source="sms_reply", scope="borrower")
    got = _reasons(_plan(book, cfg, date(2026, 11, 11)), channel="call", step="callback")
    assert got == {("B1", "L1", "callback", "call", "cap_call_cooldown")}
