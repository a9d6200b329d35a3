"""The independent audit: every rule re-checked over the whole contact log.

    run_audit(con, cfg) -> AuditReport         # one line per rule: checked, violations

Each rule is one SQL file in sql/audit/, written apart from the planner; "collection contact" is
defined once, in sql/audit/_contacts.sql.
"""

from loan_comms.audit.runner import RULES, AuditError, AuditReport, RuleResult, register_config, run_audit, run_rule

__all__ = ["RULES", "AuditError", "AuditReport", "RuleResult", "register_config", "run_audit", "run_rule"]
