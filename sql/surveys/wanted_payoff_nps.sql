-- payoff_nps: loans paid off (every installment settled as of $now) whose last payment fell on the
-- borrower's local day $as_of - $delay_days: asked once, by that day's run.
-- Returns (borrower_id, loan_id, trigger_attempt_id, team, sample_key).
-- Only payments from two days before that day (UTC) on are read: a payment before then falls on an
-- earlier local day in every zone (UTC-12..+14), so it can neither be that last payment nor come
-- after it; the loans' whole payment history is not needed.
WITH last_paid AS (
    SELECT p.loan_id, max(timezone(b.timezone, p.occurred_at)::DATE) AS paid_day
    FROM payment_events AS p JOIN borrowers AS b USING (borrower_id)
    WHERE p.occurred_at <= $now
      AND p.occurred_at >= ($as_of::DATE - $delay_days::INTEGER - 2)::TIMESTAMPTZ
    GROUP BY p.loan_id
    HAVING max(timezone(b.timezone, p.occurred_at)::DATE) = $as_of::DATE - $delay_days::INTEGER
)
SELECT s.borrower_id, s.loan_id, NULL::VARCHAR AS trigger_attempt_id, NULL::VARCHAR AS team,
       s.loan_id AS sample_key
FROM (SELECT loan_id, any_value(borrower_id) AS borrower_id FROM installment_state
      WHERE loan_id IN (SELECT loan_id FROM last_paid)
      GROUP BY loan_id HAVING max(outstanding) <= 0) AS s;
