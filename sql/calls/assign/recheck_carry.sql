-- Adds to gate_verdicts the assigned calls whose narrowed window leaves no room on their agent's
-- shift (recheck_slots, not fits) as no_agent_today, unless the gate already gave them a reason:
-- apply_recheck.sql suppresses them with the others; the step is not taken, so it is proposed
-- again the next day under every cap. Returns nothing.
-- Why: the call must not be made outside the slot its agent has, nor outside the person's window.
INSERT INTO gate_verdicts (idempotency_key, reason)
SELECT s.idempotency_key, 'no_agent_today' AS reason
FROM recheck_slots AS s
WHERE NOT s.fits AND s.idempotency_key NOT IN (SELECT idempotency_key FROM gate_verdicts);
