-- paused_dispute: the loan has an open dispute; collection contacts wait until it is resolved.
-- Why: FDCPA 809(b) / Reg F 1006.38: collection stops on a disputed debt until it is verified.
-- Audit: dispute_pause.
SELECT g.idempotency_key, 'paused_dispute' AS reason
FROM gate_subjects AS g
WHERE g.is_collection AND g.dispute_open;
