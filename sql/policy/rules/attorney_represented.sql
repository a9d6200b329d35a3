-- attorney_represented: the borrower is represented by an attorney for their debts
-- (attorney_representation, not withdrawn since). No direct contact on any loan: SMS, e-mail,
-- calls and visits stop; letters still go, addressed to the attorney (contact_attempts.addressed_to
-- = 'attorney', set by record_rendered.sql and apply_recheck.sql).
-- Why: Reg F 1006.6(b)(2): communicate with the attorney only. Audit: attorney_only.
SELECT g.idempotency_key, 'attorney_represented' AS reason
FROM gate_subjects AS g
WHERE g.attorney_active AND g.channel <> 'letter';
