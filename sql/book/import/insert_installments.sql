-- Inserts the file's clean installments that are not in the database yet, unpaid (amount_paid 0,
-- paid_at NULL: imported payments go to payment_feed). Returns the number inserted.
INSERT INTO installments (loan_id, installment_no, due_date, amount_due, amount_paid, paid_at)
SELECT r.loan_id, r.installment_no, r.due_date, r.amount_due, 0, NULL
FROM import_loadable AS r
WHERE NOT EXISTS (SELECT 1 FROM installments AS i
                  WHERE i.loan_id = r.loan_id AND i.installment_no = r.installment_no);
