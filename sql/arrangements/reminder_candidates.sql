-- arrangement_reminder: gentle pre-due reminders of a running plan's installments, each
-- [arrangements].reminder_days_before local days before the installment's date while it is still
-- short (amount: what is left of it). A payment holiday has none; its end gets one, the earliest of
-- those days before ends_on, that payments resume (due_date/amount: the first loan's next
-- contractual installment after the holiday). They replace the covered loans' contractual
-- reminders (arrangement_active). Adds rows to candidates on the plan's first loan.
INSERT INTO candidates
WITH days AS (
    SELECT unnest(reminder_days_before) AS days_before FROM cfg_arrangements
),
plan_due AS (
    SELECT s.borrower_id, s.loan_id, i.installment_no, i.short AS amount, i.due_date
    FROM arrangement_state AS s
    JOIN arrangement_installment_state AS i USING (arrangement_id)
    JOIN days AS d ON i.due_date = $as_of::DATE + d.days_before
    WHERE s.status = 'active' AND i.short > 0
),
holiday_end AS (
    SELECT s.borrower_id, s.loan_id, NULL::INTEGER AS installment_no,
           (SELECT arg_min(n.amount_due, n.due_date) FROM installments AS n
            WHERE n.loan_id = s.loan_id AND n.due_date > s.ends_on) AS amount,
           (SELECT min(n.due_date) FROM installments AS n
            WHERE n.loan_id = s.loan_id AND n.due_date > s.ends_on) AS due_date
    FROM arrangement_state AS s
    WHERE s.status = 'active' AND s.kind = 'payment_holiday'
      AND $as_of::DATE = s.ends_on - (SELECT max(days_before) FROM days)
),
wanted AS (
    SELECT * FROM plan_due UNION ALL SELECT * FROM holiday_end
)
SELECT contact_key(w.borrower_id, w.loan_id, c.step, c.channel, $as_of::DATE),
       w.borrower_id, w.loan_id, w.installment_no, c.channel, 'follow_up', c.step, NULL, c.severity,
       w.amount, w.due_date, 0, NULL
FROM wanted AS w
JOIN cfg_steps AS c ON c.purpose = 'follow_up' AND c.step = 'arrangement_reminder';
