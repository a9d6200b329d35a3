-- arrangement_missed: a kind reminder, once per missed plan installment (still short
-- missed_after_days after its date: arrangement_installment_state.missed_on), with the pay link and
-- the help line; not an offer-bearing step (the plan is still on: the re-offer comes only if it
-- breaks, reoffer_candidates.sql). Proposed from its missed day while the plan is not broken and the
-- installment still short, until taken (step_taken on an earlier day, same installment). Adds rows
-- to candidates on the plan's first loan with the plan installment (number, what is left, date).
INSERT INTO candidates
SELECT contact_key(s.borrower_id, s.loan_id, c.step, c.channel, $as_of::DATE),
       s.borrower_id, s.loan_id, i.installment_no, c.channel, 'follow_up', c.step, NULL, c.severity,
       i.short, i.due_date, coalesce(ls.dpd, 0), NULL
FROM arrangement_state AS s
JOIN arrangement_installment_state AS i USING (arrangement_id)
JOIN cfg_steps AS c ON c.purpose = 'follow_up' AND c.step = 'arrangement_missed'
LEFT JOIN loan_state AS ls ON ls.loan_id = s.loan_id
WHERE s.status = 'active' AND i.missed_on IS NOT NULL AND i.short > 0
  AND NOT EXISTS (SELECT 1 FROM contact_attempts AS a
                  WHERE a.loan_id = s.loan_id AND a.step = c.step AND a.installment_no = i.installment_no
                    AND a.planned_for_date >= i.missed_on AND a.planned_for_date < $as_of::DATE
                    AND step_taken(a.status, a.suppressed_reason));
