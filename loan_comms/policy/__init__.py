"""The contact policy: the one place that decides whether a contact may happen.

The rules are SQL: one file per suppression reason in sql/policy/rules/ (opt-outs, cease-contact,
disputes, pauses, holidays, cooldowns, "paid"), ordered by `catalog.GATE_RULES` and applied by
`gate.judge`, then sql/policy/decide.sql (caps). `catalog.REASONS` lists every reason a contact can
be suppressed with, its rule, its audit rule and its tests (docs/policy.md). This package exposes
the config to that SQL (`register_policy_tables`), derives the state it judges (`derive_state`,
without writing; `refresh_state` ingests payments first) and re-checks planned contacts just before
they are sent (`recheck_before_send`).
"""

from loan_comms.policy.catalog import GATE_RULES, REASONS, Reason
from loan_comms.policy.engine import (derive_state, ingest_payments, recheck_before_send, refresh_state,
                                      register_policy_tables, step_rows)
from loan_comms.policy.gate import judge

__all__ = ["GATE_RULES", "REASONS", "Reason", "derive_state", "ingest_payments", "judge", "recheck_before_send",
           "refresh_state", "register_policy_tables", "step_rows"]
