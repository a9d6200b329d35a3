-- hardship_plan: the repayment-plan offers (step hardship_offer) that went (handed to a provider)
-- on local day $as_of - $delay_days: how the borrower was treated once they asked for help.
-- Returns (borrower_id, loan_id, trigger_attempt_id, team, sample_key).
SELECT a.borrower_id, a.loan_id, a.attempt_id AS trigger_attempt_id, NULL::VARCHAR AS team,
       a.attempt_id AS sample_key
FROM contact_attempts AS a
WHERE a.step = 'hardship_offer' AND a.sent_at IS NOT NULL
  AND a.planned_for_date = $as_of::DATE - $delay_days::INTEGER
QUALIFY row_number() OVER (PARTITION BY a.loan_id ORDER BY a.attempt_id) = 1;
