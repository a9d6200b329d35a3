-- arrangement_declined: a person declined the plan asked for; the borrower is told, with the reason
-- and the other options (an offer-bearing step: part of OFFER_STEPS). Once per declined plan: from
-- the local day of the decision for a week, until taken (step_taken on an earlier day). Adds rows to
-- candidates on the plan's first loan, with its arrears then (loan_state).
INSERT INTO candidates
SELECT contact_key(s.borrower_id, s.loan_id, c.step, c.channel, $as_of::DATE),
       s.borrower_id, s.loan_id, NULL, c.channel, 'follow_up', c.step, NULL, c.severity,
       ls.overdue_amount, ls.oldest_unpaid_due, coalesce(ls.dpd, 0), NULL
FROM arrangement_state AS s
JOIN cfg_steps AS c ON c.purpose = 'follow_up' AND c.step = 'arrangement_declined'
LEFT JOIN loan_state AS ls ON ls.loan_id = s.loan_id
WHERE s.status = 'declined' AND $as_of::DATE BETWEEN s.decided_day AND s.decided_day + 7
  AND NOT EXISTS (SELECT 1 FROM contact_attempts AS a
                  WHERE a.loan_id = s.loan_id AND a.step = c.step AND a.planned_for_date >= s.decided_day
                    AND a.planned_for_date < $as_of::DATE AND step_taken(a.status, a.suppressed_reason));
