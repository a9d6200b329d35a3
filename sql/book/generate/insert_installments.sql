-- Writes the monthly schedule of every syn_loans loan: installment k falls due k months after
-- opening (clamped to the month's end), all unpaid (the daily run derives payments). Returns the count.
-- Generated straight from syn_loans (stored in loan order), so rows arrive in (loan, k) order unsorted.
INSERT INTO installments (loan_id, installment_no, due_date, amount_due, amount_paid, paid_at)
SELECT loan_id, k, (opened_on + INTERVAL (k) MONTH)::DATE, amount_due, 0, NULL
FROM (SELECT loan_id, opened_on, amount_due, unnest(range(1, n_installments + 1)) AS k FROM syn_loans);
