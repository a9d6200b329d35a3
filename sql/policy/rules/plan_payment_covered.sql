-- plan_payment_covered: a plan's reminder or missed-payment contact (arrangement_reminder,
-- arrangement_missed) about an installment that no longer needs one. Forbids it unless a plan that
-- is still running (arrangement_state status 'active': accepted, neither broken nor kept) on the
-- contact's loan (the plan's first loan, as the candidates put it) still has that plan installment
-- short (arrangement_installment_state.short > 0, payments counted up to $now); a holiday's end
-- reminder (no installment) only while its holiday is still running. So a payment made after the
-- day's plan, or a plan that broke or was kept meanwhile, stops the contact at the re-check before
-- send (recheck_before_send derives the plan state again).
-- Why: issue 15 review: "we have not received your plan payment" after it was paid is wrong and
-- distressing; a reminder of a plan that ended is a contact about nothing (paid means stop).
-- Audit: plan_contact_after_covered.
SELECT g.idempotency_key, 'plan_payment_covered' AS reason
FROM gate_subjects AS g
WHERE g.step IN ('arrangement_reminder', 'arrangement_missed')
  AND NOT EXISTS (
      SELECT 1 FROM arrangement_state AS s
      WHERE s.status = 'active' AND s.loan_id = g.loan_id
        AND CASE WHEN g.installment_no IS NULL THEN s.kind = 'payment_holiday'
                 ELSE EXISTS (SELECT 1 FROM arrangement_installment_state AS i
                              WHERE i.arrangement_id = s.arrangement_id AND i.installment_no = g.installment_no
                                AND i.short > 0) END);
