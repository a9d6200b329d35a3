"""The reasons catalog held to the repository, the reasons no other test makes fire, and the
collection flag read alike by the gate and the audit."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from loan_comms.audit import run_audit
from loan_comms.config import LadderStep
from loan_comms.lifecycle.planner import decide, plan_day
from loan_comms.paths import SQL_DIR
from loan_comms.policy import GATE_RULES, REASONS

ROOT = SQL_DIR.parent


def _test_source(ref: str) -> str | None:
    """The source of test `path::name` with its decorators (parameters), or None when there is none."""
    path, name = ref.split("::")
    file = ROOT / path
    if not file.exists():
        return None
    text = file.read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return "\n".join(text.splitlines()[first - 1:node.end_lineno])
    return None


def _sql_reason_literals() -> set[str]:
    """Every suppressed_reason value written or compared in sql/ (comments left out)."""
    patterns = [r"suppressed_reason\s*(?:=|<>|!=)\s*'([^']+)'",       # a.suppressed_reason = 'window_missed'
                r"'([^']+)'\s+AS\s+(?:suppressed_)?reason\b",          # SELECT ..., 'paid' AS reason
                r"suppressed_reason\s*=\s*coalesce\([^,]+,\s*'([^']+)'\)",  # = coalesce(v.reason, 'window_missed')
                r"THEN\s+'([a-z0-9_]+)'(?!\s+ELSE)"]                   # decide.sql's cap CASE
    found: set[str] = set()
    for path in SQL_DIR.rglob("*.sql"):
        if path.parts[-2] == "audit" and path.name != "nothing_lost.sql":
            continue  # audit rules name violations, not reasons (nothing_lost reads reasons)
        code = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        for i, pattern in enumerate(patterns):
            if i == 3 and path.parts[-2] != "policy":
                continue
            found |= set(re.findall(pattern, code))
    return found


def test_every_gate_rule_file_is_in_the_list_and_every_listed_rule_has_a_file():
    files = {p.stem for p in (SQL_DIR / "policy" / "rules").glob("*.sql")}
    assert files == set(GATE_RULES)
    assert len(GATE_RULES) == len(set(GATE_RULES))


def test_the_catalog_names_existing_rules_audit_rules_and_tests_that_name_the_reason():
    from loan_comms.audit.runner import RULES

    for r in REASONS:
        assert (SQL_DIR / r.rule).exists(), r
        for audit in (r.audit, *r.also_audited_by):
            assert audit in RULES and (SQL_DIR / "audit" / f"{audit}.sql").exists(), r
        assert r.tests, r
        for ref in r.tests:
            source = _test_source(ref)
            assert source is not None, f"{r.reason}: no test {ref}"
            assert r.reason in source, f"{r.reason}: {ref} does not name it"
    gate_files = {Path(r.rule).stem for r in REASONS if r.rule.startswith("policy/rules/")}
    assert gate_files == set(GATE_RULES), "every gate rule gives at least one catalogued reason"


def test_every_reason_literal_in_sql_is_in_the_catalog():
    literals = _sql_reason_literals()
    assert {"paid", "no_recipient", "cap_sms_per_day", "window_missed"} <= literals  # the scan sees them
    assert literals - {r.reason for r in REASONS} == set()


def test_docs_policy_shows_every_reason():
    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z0-9_]+)` \|.*$", text, re.M)}
    for r in REASONS:
        assert f"`{r.reason}`" in text, r.reason
        for audit in (r.audit, *r.also_audited_by):
            assert f"`{audit}`" in rows[r.reason], (r.reason, audit)


def _sent(book, borrower_id: str, loan_id: str, channel: str, day: date, n: int) -> None:
    """A contact already made on `day` (history)."""
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
    book.con.execute(
        "INSERT INTO contact_attempts (attempt_id, idempotency_key, borrower_id, loan_id, channel, purpose, step, "
        "status, planned_for_date, send_after, send_before, created_at, updated_at, sent_at) "
        "VALUES (?, ?, ?, ?, ?, 'escalation', ?, 'sent', ?, ?, ?, ?, ?, ?)",
        [f"hist{channel}{n}", f"{borrower_id}|{loan_id}|manual_{n}|{channel}|{day}", borrower_id, loan_id, channel,
         f"manual_{n}", day, at, at + timedelta(hours=10), at, at, at])


def _sms_and_call_first(cfg):
    """The config with a first ladder step that calls as well as texts (so one day shows calls)."""
    first = LadderStep(step="dpd_1", min_dpd=1, channels=("sms", "call"), severity=1)
    return cfg.model_copy(update={"ladder": (first, *cfg.ladder[1:])})


DAY = date(2026, 11, 2)  # the day after L*'s due date: dpd_1


def _opted_out_call(book, cfg):
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.event("B1", "opt_out", "2026-10-30T09:00:00+08:00", channel="call")
    return _sms_and_call_first(cfg)


def _cap_calls_per_day(book, cfg):
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    for n in range(3):  # three calls already today: reached_calls_per_day = 3
        _sent(book, "B1", "L1", "call", DAY, n)
    return _sms_and_call_first(cfg)


def _cap_contacts_per_day(book, cfg):
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.loan("L2", "B1", [("2026-11-01", "900.00")])  # 2 sms + 1 email + 1 call left by their caps > 3 a day
    first = LadderStep(step="dpd_1", min_dpd=1, channels=("sms", "email", "call"), severity=1)
    return cfg.model_copy(update={"ladder": (first, *cfg.ladder[1:])})


def _cap_email_per_day(book, cfg):
    book.loan("L1", "B1", [("2026-11-05", "100.00")])  # two pre_due_3 emails, one a day
    book.loan("L2", "B1", [("2026-11-05", "900.00")])
    return cfg


def _cap_sms_per_7_days(book, cfg):
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    for n in range(6):  # six SMS in the last days: sms_per_7_days = 6
        _sent(book, "B1", "L1", "sms", DAY - timedelta(days=n + 1), n)
    return cfg


@pytest.mark.parametrize("reason, scenario", [
    ("opted_out_call", _opted_out_call),
    ("cap_calls_per_day", _cap_calls_per_day),
    ("cap_contacts_per_day", _cap_contacts_per_day),
    ("cap_email_per_day", _cap_email_per_day),
    ("cap_sms_per_7_days", _cap_sms_per_7_days),
])
def test_reason_fires(book, cfg, reason, scenario):
    book.borrower("B1")
    day_cfg = scenario(book, cfg)
    before = book.con.execute("SELECT count(*) FROM contact_attempts").fetchall()
    decisions = decide(book.con, day_cfg, DAY).to_pylist()
    assert reason in {d["suppressed_reason"] for d in decisions}, decisions
    assert book.con.execute("SELECT count(*) FROM contact_attempts").fetchall() == before  # decide writes nothing


@pytest.mark.parametrize("collection", [True, False])
def test_gate_and_audit_judge_a_step_by_the_same_collection_flag(book, cfg, renderer, collection):
    """hardship_offer marked collection (it is not by default): the gate holds it back during a
    dispute (paused_dispute), and the audit calls the same contact, sent, a dispute violation."""
    flagged = cfg.model_copy(update={"follow_ups": cfg.follow_ups.model_copy(
        update={"hardship_offer_collection": collection})})
    assert flagged.collection_steps()["hardship_offer"] is collection
    book.borrower("B1")
    book.loan("L1", "B1", [("2026-11-01", "100.00")])
    book.event("B1", "hardship_request", "2026-11-02T15:00:00+08:00", loan_id="L1")
    book.event("B1", "dispute", "2026-11-02T16:00:00+08:00", loan_id="L1")
    day = date(2026, 11, 3)

    gate = {d["channel"]: d["suppressed_reason"] for d in decide(book.con, flagged, day).to_pylist()
            if d["step"] == "hardship_offer"}
    assert gate == ({"sms": "paused_dispute", "email": "paused_dispute"} if collection
                    else {"sms": None, "email": None})

    plan_day(book.con, cfg, renderer, day)  # the default config lets the offer go; send it
    book.send_all_planned()
    book.con.execute("UPDATE contact_attempts SET decided_by_rule = coalesce(decided_by_rule, 'allowed')")
    audit = run_audit(book.con, flagged, now=datetime(2026, 11, 4, tzinfo=UTC), show=50).rule("dispute_pause")
    flagged_steps = {row["step"] for row in audit.rows}
    assert ("hardship_offer" in flagged_steps) is collection, audit.rows
