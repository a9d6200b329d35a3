"""The event kinds catalog held to the repository: README lists every kind with its scope, every
kind's reasons and audit rule exist, operators can record its pair, and the reply path records the
scopes the catalog gives a kind whose loan is only inferred."""

from __future__ import annotations

import re

from loan_comms.audit.runner import RULES
from loan_comms.inbound.events import OPERATOR_KINDS
from loan_comms.paths import SQL_DIR
from loan_comms.policy import REASONS
from loan_comms.policy.kinds import (BORROWER, ENDINGS, KINDS, LOAN, NAMED_LOAN, NAMED_POINT, POINT, all_kinds, kind,
                                     scope_of)

ROOT = SQL_DIR.parent


def test_readme_lists_every_kind_with_its_scope_and_its_ending():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Event kinds and their scope", 1)[1].split("\n## ", 1)[0]
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z_]+)` \|.*$", section, re.M)}
    assert set(rows) == {k.kind for k in KINDS}
    words = {BORROWER: "every loan", LOAN: "its loan", NAMED_LOAN: "its loan when an operator names it",
             POINT: "its contact point", NAMED_POINT: "every loan; only its contact point when an operator"}
    for k in KINDS:
        cells = [c.strip() for c in rows[k.kind].strip("|").split("|")]
        assert cells[1] == (f"`{k.ends}`" if k.ends else "-"), k.kind
        assert cells[2].startswith(words[k.scope]), k.kind
        assert (cells[4] == f"`{k.audit}`") if k.audit else cells[4] == "-", k.kind
        assert all(who in cells[5] for who in k.recorded_by), (k.kind, "recorded by")


def test_every_kind_names_reasons_and_audit_rules_that_exist():
    reasons = {r.reason for r in REASONS}
    for k in KINDS:
        assert set(k.suppresses) <= reasons, k
        assert k.audit is None or k.audit in RULES, k


def test_operators_can_record_every_kind_they_are_said_to_record_and_its_ending():
    for k in KINDS:
        if "operator" in k.recorded_by:
            assert k.kind in OPERATOR_KINDS, k.kind
            assert k.ends is None or k.ends in OPERATOR_KINDS, k.ends
    assert set(OPERATOR_KINDS) <= set(all_kinds())


def test_scope_of_a_kind_and_its_ending():
    assert scope_of("dispute", names_loan=True) == LOAN
    assert scope_of("dispute", names_loan=False) == BORROWER
    assert scope_of("dispute_resolved", names_loan=True) == LOAN
    assert scope_of("hardship_request", names_loan=True) == BORROWER
    assert scope_of("promise_to_pay", names_loan=False) == LOAN
    assert kind("attorney_withdrawn").kind == "attorney_representation"
    assert ENDINGS["breathing_space_ended"] == "breathing_space"
    # an opt-out naming an address is about that point only; a wrong number's scope is its point,
    # recorded 'borrower' like number_reassigned (its contact_point says which point)
    assert scope_of("opt_out", names_loan=False, names_point=True) == POINT
    assert scope_of("opt_in", names_loan=False, names_point=True) == POINT
    assert scope_of("opt_out", names_loan=False) == BORROWER
    assert scope_of("wrong_number", names_loan=False, names_point=True) == BORROWER
    assert kind("point_verified").scope == POINT


def test_the_reply_path_records_the_catalog_scopes_of_an_inferred_loan():
    """sql/inbound/replies_insert.sql writes scopes in SQL; they must be the catalog's for a reply."""
    text = (SQL_DIR / "inbound" / "replies_insert.sql").read_text(encoding="utf-8")
    assert "CASE WHEN kind = 'promise_to_pay' THEN 'loan' ELSE 'borrower' END" in text
    for reply_kind in ("opt_out", "hardship_request", "dispute"):
        assert scope_of(reply_kind, names_loan=False) == BORROWER
    assert scope_of("promise_to_pay", names_loan=False) == LOAN
