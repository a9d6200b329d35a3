-- end_of_delinquency: loans whose delinquency episode closed (back to current, day_episodes as of
-- $as_of) on local day $as_of - $delay_days, and that still owe (a loan paid off gets payoff_nps).
-- Returns (borrower_id, loan_id, trigger_attempt_id, team, sample_key). Still owing: a row in loan_state
-- (one row per loan with something outstanding).
SELECT l.borrower_id, d.loan_id, NULL::VARCHAR AS trigger_attempt_id, NULL::VARCHAR AS team,
       d.episode_id AS sample_key
FROM day_episodes AS d
JOIN loans AS l USING (loan_id)
WHERE d.closed_on = $as_of::DATE - $delay_days::INTEGER
  AND d.loan_id IN (SELECT loan_id FROM loan_state);
