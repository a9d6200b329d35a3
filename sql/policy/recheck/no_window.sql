-- Adds to gate_verdicts the planned contacts whose window narrowed to nothing at send time
-- (recheck_windows.empty), as no_common_window, unless the gate already gave them a reason. They
-- are suppressed by apply_recheck.sql with the others, whether or not their stored window is open.
-- Why: Reg F 1006.6(b)(1) comment 2 (no time convenient in every zone) and the hours the consumer
-- named: when what is left of the day's window is nothing, the contact does not go today.
INSERT INTO gate_verdicts (idempotency_key, reason)
SELECT w.idempotency_key, 'no_common_window' AS reason
FROM recheck_windows AS w
WHERE w.empty AND w.idempotency_key NOT IN (SELECT idempotency_key FROM gate_verdicts);
