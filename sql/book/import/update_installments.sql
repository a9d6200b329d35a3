-- Updates installments already in the database whose due date or amount changed in the export.
-- amount_paid / paid_at are left alone: the daily run derives them from payments.
-- Returns the number updated.
UPDATE installments AS i
SET due_date = r.due_date, amount_due = r.amount_due
FROM import_loadable AS r
WHERE i.loan_id = r.loan_id AND i.installment_no = r.installment_no
  AND (i.due_date IS DISTINCT FROM r.due_date OR i.amount_due IS DISTINCT FROM r.amount_due);
