-- deceased: the borrower has died (a deceased event; it has no end). Nothing is sent to them on
-- any channel, about any loan, legally required notices included: a notice to the estate is a
-- matter for people, not for the planner.
-- Why: no lawful purpose is served by contacting a person who has died; FCA CONC 7.2 / Reg F
-- 1006.2(e) (the estate's representative is the consumer, reached by staff). Audit: deceased_no_contact.
SELECT g.idempotency_key, 'deceased' AS reason
FROM gate_subjects AS g
WHERE g.deceased;
