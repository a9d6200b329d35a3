-- arrangement_kept: thanks, the plan is done and the loan is back to normal. Once per kept plan:
-- from kept_on for a week, until taken (step_taken on an earlier day). Adds rows to candidates on the
-- plan's first loan (amount: what was paid toward the plan).
INSERT INTO candidates
SELECT contact_key(s.borrower_id, s.loan_id, c.step, c.channel, $as_of::DATE),
       s.borrower_id, s.loan_id, NULL, c.channel, 'follow_up', c.step, NULL, c.severity,
       s.paid, s.ends_on, 0, NULL
FROM arrangement_state AS s
JOIN cfg_steps AS c ON c.purpose = 'follow_up' AND c.step = 'arrangement_kept'
WHERE s.status = 'kept' AND $as_of::DATE BETWEEN s.kept_on AND s.kept_on + 7
  AND NOT EXISTS (SELECT 1 FROM contact_attempts AS a
                  WHERE a.loan_id = s.loan_id AND a.step = c.step AND a.planned_for_date >= s.kept_on
                    AND a.planned_for_date < $as_of::DATE AND step_taken(a.status, a.suppressed_reason));
