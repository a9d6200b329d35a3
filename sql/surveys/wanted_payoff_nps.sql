-- payoff_nps: loans paid off (every installment settled as of $now) whose last payment fell on the
-- borrower's local day $as_of - $delay_days: asked once, by that day's run.
-- Returns (borrower_id, loan_id, trigger_attempt_id, team, sample_key).
SELECT s.borrower_id, s.loan_id, NULL::VARCHAR AS trigger_attempt_id, NULL::VARCHAR AS team,
       s.loan_id AS sample_key
FROM (SELECT loan_id, any_value(borrower_id) AS borrower_id FROM installment_state
      GROUP BY loan_id HAVING max(outstanding) <= 0) AS s
JOIN (SELECT p.loan_id, max(timezone(b.timezone, p.occurred_at)::DATE) AS paid_day
      FROM payment_events AS p JOIN borrowers AS b USING (borrower_id)
      WHERE p.occurred_at <= $now GROUP BY p.loan_id) AS p USING (loan_id)
WHERE p.paid_day = $as_of::DATE - $delay_days::INTEGER;
