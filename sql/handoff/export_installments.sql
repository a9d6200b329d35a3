-- Every installment of each case's loan (handoff_export_due): due date, amount due, paid, outstanding
-- and when it was paid in full, in installment order. Amounts only.
SELECT d.case_id, i.installment_no, i.due_date, i.amount_due, i.amount_paid,
       i.amount_due - least(i.amount_paid, i.amount_due) AS outstanding, i.paid_at
FROM handoff_export_due AS d
JOIN installments AS i USING (loan_id)
ORDER BY d.case_id, i.installment_no;
