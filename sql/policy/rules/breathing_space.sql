-- breathing_space: the borrower is in a UK breathing space (Debt Respite Scheme moratorium) whose
-- end date (detail.until, inclusive) is on or after the contact's local day, and it was not ended
-- early (breathing_space_ended). No contact on any loan except legally required notices.
-- Why: Debt Respite Scheme (Breathing Space Moratorium) Regulations 2020 reg. 7: no contact to
-- request payment during the moratorium. Audit: breathing_space_honoured.
SELECT g.idempotency_key, 'breathing_space' AS reason
FROM gate_subjects AS g
WHERE g.planned_for_date <= g.breathing_space_until AND NOT g.legally_required;
