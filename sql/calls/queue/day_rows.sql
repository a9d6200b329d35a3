-- The call queue of local day $as_of for people (artifacts, exports): team, rank, step,
-- severity, amount, the borrower's local calling window and a masked phone (+86****78),
-- in calling order; at most $limit rows.
SELECT q.team, q.queue_rank AS rank, q.step, q.severity, q.amount_due AS amount, q.currency,
       q.local_window, q.jurisdiction, q.loan_id,
       CASE WHEN b.phone_e164 IS NULL OR length(b.phone_e164) < 6 THEN '-'
            ELSE left(b.phone_e164, 3) || '****' || right(b.phone_e164, 2) END AS phone_masked,
       q.status
FROM call_queue q JOIN borrowers b USING (borrower_id)
WHERE q.queue_date = $as_of::DATE
ORDER BY q.team, q.queue_rank
LIMIT $limit;
