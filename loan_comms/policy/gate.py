"""The gate: the first rule in GATE_RULES that forbids each contact, as one SQL statement.

Each rule is a file in sql/policy/rules/ that returns (idempotency_key, reason) for the gate
subjects it forbids. They are read side by side here, tagged with their place in GATE_RULES, and
folded to the first hit per contact (sql/policy/gate_verdicts.sql): exactly the precedence of a
CASE over the rules, but adding a rule is adding a file and a line, not editing the CASE.
"""

from __future__ import annotations

from typing import Any, Mapping

import duckdb

from loan_comms import db
from loan_comms.policy import zones
from loan_comms.policy.catalog import GATE_RULES

# Where the person is and what limits hold for them, as of $now, for the borrowers in gate_input:
# read by gate_subjects (and so by every rule) and by decide.sql's caps and windows.
_PERSON = ("policy/zones/borrower_zones", "policy/zones/borrower_policy", "policy/zones/contact_windows")


def _hits(params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """CREATE gate_hits as the union of every rule tagged with its precedence, and its parameters."""
    parts: list[str] = []
    bound: dict[str, Any] = {}
    for precedence, rule in enumerate(GATE_RULES, start=1):
        text, used = db.bound(f"policy/rules/{rule}", params)
        bound |= used
        # Only the rule's position (an int of ours) is formatted in; values stay bound parameters.
        parts.append(f"SELECT idempotency_key, reason, {precedence} AS precedence FROM (\n"
                     f"{text.rstrip().rstrip(';')}\n)")
    return "CREATE OR REPLACE TEMP TABLE gate_hits AS\n" + "\nUNION ALL\n".join(parts), bound


def person(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any]) -> None:
    """Where each borrower in gate_input may be and their limits as of $now: borrower_phones,
    phone_zones, borrower_zones, borrower_policy, contact_windows (the re-check also narrows the
    stored windows with these, loan_comms/policy/engine.py narrow_windows)."""
    zones.register_phone_zones(con, params["now"])
    for name in _PERSON:
        db.run(con, name, params)


def judge(con: duckdb.DuckDBPyConnection, params: Mapping[str, Any], *, person_known: bool = False) -> None:
    """Fill gate_verdicts(idempotency_key, reason) for the contacts in temp table gate_input.

    Needs the config tables (register_policy_tables) and the state tables (installment_state,
    borrower_flags, loan_flags) as of the instant being judged. First derives where each person
    may be and their effective limits (borrower_zones, borrower_policy, contact_windows), unless
    `person_known`: the caller derived them as of the same $now for every borrower and day in
    gate_input (the re-check before send does it once for all its steps).
    """
    if not person_known:
        person(con, params)
    db.run(con, "policy/gate_subjects", params)
    con.execute(*_hits(params))
    db.run(con, "policy/gate_verdicts", params)
