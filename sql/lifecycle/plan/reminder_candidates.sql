-- Pre-due reminders: each unpaid installment due exactly days_before_due after $as_of, on each
-- channel its reminder step names. Adds rows to candidates.
-- The steps are the borrower's arm's (cfg_arm_steps by day_arms.arm_key, 'champion' = today's config:
-- an experiment's challenger may move or drop a reminder, or change its channels; issue 19).
INSERT INTO candidates
SELECT contact_key(s.borrower_id, s.loan_id, c.step, c.channel, $as_of::DATE),
       s.borrower_id, s.loan_id, s.installment_no, c.channel, 'reminder', c.step, NULL,
       c.severity, s.outstanding, s.due_date, 0, NULL
FROM installment_state AS s
LEFT JOIN day_arms AS x ON x.borrower_id = s.borrower_id
JOIN cfg_arm_steps AS c
  ON c.arm_key = coalesce(x.arm_key, 'champion')
 AND c.purpose = 'reminder' AND s.due_date = $as_of::DATE + c.days_before_due
WHERE s.outstanding > 0;
