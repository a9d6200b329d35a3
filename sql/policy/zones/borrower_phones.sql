-- borrower_phones: the phone numbers each borrower being judged (gate_input) may be reached on,
-- (borrower_id, phone in E.164). THE one place the zone lookup reads phones from: today
-- borrowers.phone_e164; when phones become contact points (several per borrower, shared), point
-- this file at them and every plausible zone and applicable profile follows.
-- Why: Reg F 1006.6(b)(1) comment 2: the phone's area code is evidence of where the person may be.
CREATE OR REPLACE TEMP TABLE borrower_phones AS
SELECT DISTINCT b.borrower_id, b.phone_e164 AS phone
FROM borrowers AS b
WHERE b.phone_e164 IS NOT NULL
  AND b.borrower_id IN (SELECT borrower_id FROM gate_input);
