"""The simulator's dialer plays the agents: each assigned call dialled by its agent from its slot, at
most its max_dials, never after dial_until, with the whole outcome mix; and its file lands whole.

Why: the 60-day simulation must pass the audit with the new rules, so the simulated dialer must keep
what the export told it exactly as a real one is required to (dial_attempts), and every row it
writes must be one ingest accepts (a simulator whose rows are quarantined tests nothing downstream).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from loan_comms import db
from loan_comms.audit import run_audit
from loan_comms.inbound.events import ingest_call_outcomes

DAY = date(2026, 11, 6)
N = 400
SH = ZoneInfo("Asia/Shanghai")


def _local(hhmm: str) -> datetime:
    return datetime.combine(DAY, time.fromisoformat(hhmm), SH).astimezone(UTC)


def _book(con) -> None:
    """N Shanghai borrowers, each with a loan overdue since 1 Nov and a call released on DAY at 08:00
    (window 08:00-21:00). Two in three calls were assigned: to agent AG<i % 5> (shift 09:00-18:00)
    at a slot from 09:00, with max_dials 1, 2 or 3, and dial_until 18:00 (every 7th: 12:00, or half an hour
    after its slot when that is later)."""
    con.execute(f"""
        INSERT INTO borrowers (borrower_id, full_name, first_name, phone_e164, email, language, timezone, jurisdiction)
        SELECT 'B' || i, 'Wang Wei', 'Wang', '+86138' || lpad(i::VARCHAR, 8, '0'), NULL, 'zh-CN', 'Asia/Shanghai', 'cn'
        FROM range({N}) AS t(i);
        INSERT INTO loans (loan_id, borrower_id, product, principal, currency, opened_on)
        SELECT 'L' || i, 'B' || i, 'personal_loan', 1200, 'CNY', DATE '2026-01-01' FROM range({N}) AS t(i);
        INSERT INTO installments (loan_id, installment_no, due_date, amount_due)
        SELECT 'L' || i, 1, DATE '2026-11-01', 300 FROM range({N}) AS t(i);
        INSERT INTO contact_attempts (attempt_id, idempotency_key, borrower_id, loan_id, channel, purpose, step, status,
                                      planned_for_date, send_after, send_before, created_at, updated_at, sent_at,
                                      contact_point)
        SELECT 'A' || i, 'k' || i, 'B' || i, 'L' || i, 'call', 'escalation', 'dpd_5', 'sent', DATE '{DAY}',
               TIMESTAMPTZ '{_local("08:00")}', TIMESTAMPTZ '{_local("21:00")}', TIMESTAMPTZ '{_local("07:00")}',
               TIMESTAMPTZ '{_local("08:00")}', TIMESTAMPTZ '{_local("08:00")}',
               point_id('phone', '+86138' || lpad(i::VARCHAR, 8, '0'))
        FROM range({N}) AS t(i);
        INSERT INTO agent_days
        SELECT 'AG' || k, DATE '{DAY}', 'cn-zh', ['zh-CN'], [], [], 200, 'Asia/Shanghai',
               TIMESTAMPTZ '{_local("09:00")}', TIMESTAMPTZ '{_local("18:00")}', TIMESTAMPTZ '{_local("07:00")}'
        FROM range(5) AS t(k);
        INSERT INTO call_assignments (attempt_id, plan_date, borrower_id, loan_id, step, team, agent_id, work_date,
                                      slot_start, slot_end, queue_rank, priority_score, priority_reasons,
                                      required_skills, outcome, max_dials, dial_until, recorded_at)
        SELECT 'A' || i, DATE '{DAY}', 'B' || i, 'L' || i, 'dpd_5', 'cn-zh', 'AG' || (i % 5), DATE '{DAY}',
               TIMESTAMPTZ '{_local("09:00")}' + to_minutes((i // 5) * 6),
               TIMESTAMPTZ '{_local("09:00")}' + to_minutes((i // 5) * 6 + 6), i // 5 + 1, 1.0, '[]', [],
               'assigned', i % 3 + 1,
               CASE WHEN i % 7 = 0
                    THEN greatest(TIMESTAMPTZ '{_local("12:00")}',
                                  TIMESTAMPTZ '{_local("09:00")}' + to_minutes((i // 5) * 6 + 30))
                    ELSE TIMESTAMPTZ '{_local("18:00")}' END,
               TIMESTAMPTZ '{_local("07:00")}'
        FROM range({N}) AS t(i) WHERE i % 3 <> 2 AND (i // 5) * 6 < 9 * 60 - 6;
    """)


def test_the_simulated_dialer_keeps_to_each_call_and_its_file_lands_whole(con, cfg, tmp_path) -> None:
    _book(con)
    rows = db.rows(con, "simulation/call_outcomes", {"as_of": DAY, "seed": 7})
    assert rows == db.rows(con, "simulation/call_outcomes", {"as_of": DAY, "seed": 7}), "a seed is a history"
    given = {r[0]: r[1:] for r in con.execute(
        "SELECT attempt_id, agent_id, slot_start, dial_until, max_dials FROM call_assignments").fetchall()}
    dials = Counter(r["attempt_id"] for r in rows)
    assert set(dials) == {f"A{i}" for i in range(N)}, "every call released is dialled"
    for r in rows:
        at = datetime.fromisoformat(r["occurred_at"])
        assert _local("08:00") <= at < _local("21:00"), r
        if r["attempt_id"] in given:
            agent, slot, until, max_dials = given[r["attempt_id"]]
            assert r["agent_id"] == agent and slot <= at <= until and dials[r["attempt_id"]] <= max_dials, r
        else:
            assert r["agent_id"] is None and dials[r["attempt_id"]] <= 2, r
        assert (r["recording_ref"] is not None) == (r["outcome"] in (
            "reached", "promise_to_pay", "hardship_request", "dispute", "refused", "callback_requested")), r
        assert (r["amount"] is not None) == (r["outcome"] == "promise_to_pay"), r
        assert (r["callback_date"] is not None) == (r["outcome"] == "callback_requested"), r
    outcomes = Counter(r["outcome"] for r in rows)
    assert set(outcomes) >= {"no_answer", "busy", "voicemail", "reached", "promise_to_pay", "hardship_request",
                             "dispute", "refused", "callback_requested"}, outcomes
    assert max(dials.values()) == 2 and 1 in dials.values()

    f = tmp_path / "dialer.jsonl"
    f.write_text("".join(json.dumps(r, default=str) + "\n" for r in rows), encoding="utf-8")
    report = ingest_call_outcomes(con, f, now=_local("23:00") + timedelta(hours=13))
    assert (report.recorded, report.quarantined) == (len(rows), 0), str(report)
    audit = run_audit(con, cfg, now=_local("23:00") + timedelta(days=1), show=5)
    assert audit.rule("dial_attempts").ok and audit.rule("dial_attempts").checked > 0, audit.rule("dial_attempts").rows
    assert audit.rule("dial_times").ok, audit.rule("dial_times").rows
