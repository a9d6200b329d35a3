-- Writes the derived paid amount and settlement time back to installments (for other tools).
-- Returns nothing; only rows whose values changed are touched.
UPDATE installments AS i
SET amount_paid = s.paid_amount,
    paid_at = CASE WHEN s.outstanding <= 0 THEN s.settled_at END
FROM installment_state AS s
WHERE s.loan_id = i.loan_id AND s.installment_no = i.installment_no
  AND (i.amount_paid IS DISTINCT FROM s.paid_amount
       OR i.paid_at IS DISTINCT FROM CASE WHEN s.outstanding <= 0 THEN s.settled_at END);
