-- cease_contact: the borrower asked us to stop contacting them (and has not revoked it). Every
-- contact stops except the thanks for a payment and legally required steps.
-- Why: FDCPA 805(c) / Reg F 1006.6(c) cease-communication requests. Audit: cease_contact_honoured.
SELECT g.idempotency_key, 'cease_contact' AS reason
FROM gate_subjects AS g
WHERE g.cease_active AND g.step <> 'payment_confirmation' AND NOT g.legally_required;
