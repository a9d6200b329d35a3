-- Writes the derived paid amount and settlement time back to installments (for other tools and
-- the audit), for the loans derived this time (derived_installments: every other loan's were written
-- when its state was stored, and have not changed since). Returns nothing; only rows whose values grow
-- are touched. Payments only add up, so
-- the state only moves forward: a re-check or re-run at an earlier instant never takes it back.
UPDATE installments AS i
SET amount_paid = greatest(i.amount_paid, s.paid_amount),
    paid_at = coalesce(i.paid_at, CASE WHEN s.outstanding <= 0 THEN s.settled_at END)
FROM derived_installments AS s
WHERE s.loan_id = i.loan_id AND s.installment_no = i.installment_no
  AND (s.paid_amount > i.amount_paid OR (i.paid_at IS NULL AND s.outstanding <= 0));
