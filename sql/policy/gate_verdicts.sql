-- gate_verdicts(idempotency_key, reason): for each gate subject that at least one rule forbids,
-- the reason of the first such rule in GATE_RULES order (loan_comms/policy/catalog.py), which
-- filled gate_hits(idempotency_key, reason, precedence). No row: the gate lets the contact go.
-- decide.sql and apply_recheck.sql read this table.
CREATE OR REPLACE TEMP TABLE gate_verdicts AS
SELECT idempotency_key, arg_min(reason, precedence) AS reason
FROM gate_hits
GROUP BY idempotency_key;
