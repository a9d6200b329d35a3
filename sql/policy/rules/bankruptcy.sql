-- bankruptcy: the borrower is in bankruptcy (a bankruptcy event, not dismissed since). Collection
-- stops on every loan: every contact except the thanks for a payment and legally required notices
-- (policy.legally_required_steps). A discharge does not end it (the debt is gone); a dismissal does.
-- Why: US Bankruptcy Code 11 USC 362 (automatic stay on acts to collect); UK insolvency moratorium.
-- Audit: bankruptcy_honoured.
SELECT g.idempotency_key, 'bankruptcy' AS reason
FROM gate_subjects AS g
WHERE g.bankruptcy_active AND g.step <> 'payment_confirmation' AND NOT g.legally_required;
