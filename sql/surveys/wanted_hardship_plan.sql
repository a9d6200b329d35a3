-- hardship_plan: the repayment plans agreed (an arrangement_accepted event: accepted by the rules or
-- approved by a reviewer, on the page, by the SMS menu or with an agent) on the borrower's local day
-- $as_of - $delay_days: how the borrower was treated once they asked for help and got a plan. A plan
-- only offered, or declined, is not asked about. One survey per plan (sample_key the arrangement),
-- on the plan's first loan (the event's loan_id); trigger_attempt_id: the offer's contact when the
-- plan came from an offer (arrangements.offer_token -> arrangement_offers), NULL for an agent's record.
-- Returns (borrower_id, loan_id, trigger_attempt_id, team, sample_key).
SELECT e.borrower_id, coalesce(e.loan_id, a.loan_id) AS loan_id, o.attempt_id AS trigger_attempt_id,
       NULL::VARCHAR AS team, json_extract_string(e.detail, '$.arrangement_id') AS sample_key
FROM borrower_events AS e
JOIN borrowers AS b USING (borrower_id)
LEFT JOIN arrangements AS a ON a.arrangement_id = json_extract_string(e.detail, '$.arrangement_id')
LEFT JOIN arrangement_offers AS o ON o.token = a.offer_token
WHERE e.kind = 'arrangement_accepted'
  AND timezone(b.timezone, e.occurred_at)::DATE = $as_of::DATE - $delay_days::INTEGER
  AND coalesce(e.loan_id, a.loan_id) IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY coalesce(e.loan_id, a.loan_id) ORDER BY e.occurred_at, e.event_id) = 1;
