-- paid: nothing is owed that the contact could be about.
-- Forbids a reminder whose installment is settled; a collection contact when no installment of
-- the loan that fell due before the contact's day is still outstanding; a hardship offer when
-- nothing at all is outstanding on the loan.
-- Why: design note "paid means stop": a borrower who owes nothing is never chased (FDCPA 808(1):
-- no collecting an amount not owed). Audit: paid_means_stop.
-- The loan's unpaid installments are read from loan_state (one row per loan with an unpaid
-- installment, its oldest due date): the same facts as installment_state, one row a loan.
SELECT g.idempotency_key, 'paid' AS reason
FROM gate_subjects AS g
LEFT JOIN loan_state AS s ON s.loan_id = g.loan_id
WHERE (g.purpose = 'reminder' AND coalesce(g.installment_outstanding, 0) <= 0)
   OR (g.is_collection AND NOT coalesce(s.oldest_unpaid_due < g.planned_for_date, false))
   OR (g.step = 'hardship_offer' AND s.loan_id IS NULL);
