-- The call queue of local day $as_of for people (artifacts, exports): team, agent, slot (UTC), rank
-- (per agent by slot; per team for unassigned calls), step,
-- severity, amount, the borrower's local calling window and the masked number to dial (+86****78):
-- the contact point recorded on the call (recipients view; the primary phone for calls recorded
-- before points were), in calling order; at most $limit rows.
SELECT q.team, q.agent_id, q.slot_start, q.queue_rank AS rank, q.step, q.severity, q.amount_due AS amount, q.currency,
       q.local_window, q.jurisdiction, q.loan_id,
       CASE WHEN r.address IS NULL OR length(r.address) < 6 THEN '-'
            ELSE left(r.address, 3) || '****' || right(r.address, 2) END AS phone_masked,
       q.status
FROM call_queue q
LEFT JOIN contact_attempts a ON a.attempt_id = q.attempt_id
LEFT JOIN recipients r
       ON r.borrower_id = q.borrower_id AND r.channel = 'call'
      AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
WHERE q.queue_date = $as_of::DATE
ORDER BY q.team, q.agent_id NULLS FIRST, q.queue_rank
LIMIT $limit;
