-- Opens a delinquency episode for each overdue loan that has none open. Returns nothing.
INSERT INTO delinquency_episodes (episode_id, loan_id, opened_on)
SELECT s.loan_id || ':' || strftime(s.oldest_unpaid_due + 1, '%Y-%m-%d'), s.loan_id, s.oldest_unpaid_due + 1
FROM loan_state AS s
WHERE s.dpd > 0
  AND NOT EXISTS (SELECT 1 FROM delinquency_episodes AS e
                  WHERE e.loan_id = s.loan_id
                    AND (e.closed_on IS NULL OR e.opened_on = s.oldest_unpaid_due + 1));
