-- Closes the open episode of every loan that is no longer overdue on $as_of. Returns nothing.
-- Run only for the newest day planned (see sql/lifecycle/days/): a re-run of an older day must not close
-- an episode that later days saw open.
UPDATE delinquency_episodes AS e
SET closed_on = $as_of::DATE
WHERE e.closed_on IS NULL AND e.opened_on <= $as_of::DATE
  AND NOT EXISTS (SELECT 1 FROM loan_state AS s WHERE s.loan_id = e.loan_id AND s.dpd > 0);
