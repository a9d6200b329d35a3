-- arrangement_reoffer: after a plan broke, the options again (an offer-bearing step), once per break:
-- from broken_on until taken (step_taken on an earlier day), while something is still overdue on a
-- loan it covered and no newer plan was asked for since (one declined does not count: it holds nothing,
-- and without the re-offer awaiting_reoffer would wait for good). The ladder waits for it (awaiting_reoffer).
-- Adds rows to candidates on the plan's first loan, with its arrears (loan_state).
INSERT INTO candidates
SELECT contact_key(s.borrower_id, s.loan_id, c.step, c.channel, $as_of::DATE),
       s.borrower_id, s.loan_id, ls.oldest_unpaid_no, c.channel, 'follow_up', c.step, NULL, c.severity,
       ls.overdue_amount, ls.oldest_unpaid_due, coalesce(ls.dpd, 0), NULL
FROM arrangement_state AS s
JOIN cfg_steps AS c ON c.purpose = 'follow_up' AND c.step = 'arrangement_reoffer'
LEFT JOIN loan_state AS ls ON ls.loan_id = s.loan_id
WHERE s.status = 'broken' AND s.broken_on <= $as_of::DATE
  AND EXISTS (SELECT 1 FROM loan_state AS o WHERE list_contains(s.loan_ids, o.loan_id) AND o.dpd > 0)
  AND NOT EXISTS (SELECT 1 FROM arrangement_state AS n
                  WHERE n.borrower_id = s.borrower_id AND n.requested_at > s.decided_at
                    AND n.status <> 'declined'
                    AND n.arrangement_id <> s.arrangement_id AND len(list_intersect(n.loan_ids, s.loan_ids)) > 0)
  AND NOT EXISTS (SELECT 1 FROM contact_attempts AS a
                  WHERE a.loan_id = s.loan_id AND a.step = c.step AND a.planned_for_date >= s.broken_on
                    AND a.planned_for_date < $as_of::DATE AND step_taken(a.status, a.suppressed_reason));
