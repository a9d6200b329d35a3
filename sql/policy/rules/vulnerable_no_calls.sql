-- vulnerable_no_calls: no call while the borrower is flagged vulnerable (latest vulnerable /
-- vulnerable_ended event is 'vulnerable') and [policy.vulnerable].calls_allowed is false
-- (borrower_policy.calls_barred). Reduced caps while vulnerable are in decide.sql's caps.
-- Why: FCA FG21/1 and the Consumer Duty: adapt contact for vulnerable customers (no pressure by
-- phone; specialist handling). Audit: vulnerable_limits.
SELECT g.idempotency_key, 'vulnerable_no_calls' AS reason
FROM gate_subjects AS g
WHERE g.channel IN ('call', 'visit') AND g.calls_barred;
