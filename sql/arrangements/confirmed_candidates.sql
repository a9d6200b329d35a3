-- arrangement_confirmed: the plan agreed, with its schedule, once per plan becoming active: from the
-- local day of its decision (an acceptance or a reviewer's approval) for a week while it runs, until
-- the confirmation is taken (step_taken on an earlier day; a cap or a pause tries again), so a
-- decision recorded after its day's run is confirmed by the next day's. Adds rows to candidates on
-- the plan's first loan, with its first installment (amount, due date); a holiday: its end.
INSERT INTO candidates
WITH first_inst AS (
    SELECT arrangement_id, arg_min(amount, installment_no) AS amount, min(due_date) AS due_date
    FROM arrangement_installment_state GROUP BY arrangement_id
)
SELECT contact_key(s.borrower_id, s.loan_id, c.step, c.channel, $as_of::DATE),
       s.borrower_id, s.loan_id, NULL, c.channel, 'follow_up', c.step, NULL, c.severity,
       f.amount, coalesce(f.due_date, s.ends_on), coalesce(ls.dpd, 0), NULL
FROM arrangement_state AS s
JOIN cfg_steps AS c ON c.purpose = 'follow_up' AND c.step = 'arrangement_confirmed'
LEFT JOIN first_inst AS f USING (arrangement_id)
LEFT JOIN loan_state AS ls ON ls.loan_id = s.loan_id
WHERE s.status = 'active' AND $as_of::DATE BETWEEN s.decided_day AND s.decided_day + 7
  AND NOT EXISTS (SELECT 1 FROM contact_attempts AS a
                  WHERE a.loan_id = s.loan_id AND a.step = c.step AND a.planned_for_date >= s.decided_day
                    AND a.planned_for_date < $as_of::DATE AND step_taken(a.status, a.suppressed_reason));
