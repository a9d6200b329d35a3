"""The policy as a catalog: the gate's rules in precedence order, and every suppression reason.

GATE_RULES orders sql/policy/rules/<name>.sql the way the audit's RULES orders sql/audit/: a
contact's verdict is the first rule in this list that forbids it. Adding a rule is adding a file
and a line here. REASONS maps every reason a contact can be suppressed with to the file that
decides it, the audit rule that checks it was kept, and the tests that make it fire;
tests/policy/test_catalog.py holds the catalog to the repository, and docs/policy.md shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

GATE_RULES: tuple[str, ...] = (
    "paid",
    "no_recipient",
    "opted_out",
    "cease_contact",
    "paused_dispute",
    "paused_hardship",
    "paused_promise",
    "holiday",
    "awaiting_forbearance_offer",
    "cap_call_cooldown",
)


@dataclass(frozen=True)
class Reason:
    """One suppression reason: what decides it, what checks it afterwards, and what makes it fire.

    rule: the SQL file (under sql/) that writes the reason; audit: the audit rule (sql/audit/<audit>.sql)
    that would catch a contact that should have had it; tests: "path::test_name" of tests whose
    scenario makes it fire (each names the reason).
    """

    reason: str
    rule: str
    audit: str
    tests: tuple[str, ...]
    why: str


REASONS: tuple[Reason, ...] = ()
