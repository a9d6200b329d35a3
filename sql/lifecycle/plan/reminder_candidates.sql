-- Pre-due reminders: each unpaid installment due exactly days_before_due after $as_of, on each
-- channel its reminder step names. Adds rows to candidates.
INSERT INTO candidates
SELECT contact_key(s.borrower_id, s.loan_id, c.step, c.channel, $as_of::DATE),
       s.borrower_id, s.loan_id, s.installment_no, c.channel, 'reminder', c.step, NULL,
       c.severity, s.outstanding, s.due_date, 0, NULL
FROM installment_state AS s
JOIN cfg_steps AS c
  ON c.purpose = 'reminder' AND s.due_date = $as_of::DATE + c.days_before_due
WHERE s.outstanding > 0;
