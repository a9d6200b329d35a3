-- paid: nothing is owed that the contact could be about.
-- Forbids a reminder whose installment is settled; a collection contact when no installment of
-- the loan that fell due before the contact's day is still outstanding; a hardship offer when
-- nothing at all is outstanding on the loan.
-- Why: design note "paid means stop": a borrower who owes nothing is never chased (FDCPA 808(1):
-- no collecting an amount not owed). Audit: paid_means_stop.
SELECT g.idempotency_key, 'paid' AS reason
FROM gate_subjects AS g
WHERE (g.purpose = 'reminder' AND coalesce(g.installment_outstanding, 0) <= 0)
   OR (g.is_collection AND NOT EXISTS (
           SELECT 1 FROM installment_state AS s
           WHERE s.loan_id = g.loan_id AND s.outstanding > 0 AND s.due_date < g.planned_for_date))
   OR (g.step = 'hardship_offer' AND NOT EXISTS (
           SELECT 1 FROM installment_state AS s WHERE s.loan_id = g.loan_id AND s.outstanding > 0));
