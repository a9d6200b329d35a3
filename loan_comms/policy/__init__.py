"""The contact policy: the one place that decides whether a contact may happen.

The rules are SQL: sql/policy/gate.sql (opt-outs, cease-contact, disputes, pauses, holidays,
cooldowns, "paid") and sql/policy/decide.sql (caps). This package exposes the config to that SQL
(`register_policy_tables`), derives the state it judges (`refresh_state`) and re-checks planned
contacts just before they are sent (`recheck_before_send`).
"""

from loan_comms.policy.engine import recheck_before_send, refresh_state, register_policy_tables, step_rows

__all__ = ["recheck_before_send", "refresh_state", "register_policy_tables", "step_rows"]
