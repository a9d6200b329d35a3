-- borrower_phones: the phone numbers each borrower being judged (gate_input) may be reached on,
-- (borrower_id, phone in E.164). THE one place the zone lookup reads phones from: every phone
-- contact point of the borrower (borrower_points: the borrower row's phone and the extra points),
-- whatever its status: a number we cannot use is still evidence of where the person may be, and
-- one more zone only makes the window stricter.
-- Why: Reg F 1006.6(b)(1) comment 2: the phone's area code is evidence of where the person may be.
CREATE OR REPLACE TEMP TABLE borrower_phones AS
-- A point added to the book after the instant judged ($now) is not evidence yet (a re-check replayed
-- at an earlier instant judges as it did then); the borrower row's own phone always counts.
SELECT DISTINCT p.borrower_id, p.address AS phone
FROM borrower_points AS p
WHERE p.kind = 'phone' AND (p.is_primary OR p.added_at <= $now)
  AND p.borrower_id IN (SELECT borrower_id FROM gate_input);
