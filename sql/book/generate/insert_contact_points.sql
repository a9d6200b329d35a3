-- Families sharing a phone (issue 11): about 3% of synthetic borrowers also have, as a 'home'
-- point in borrower_contact_points, the phone of the previous borrower in the same timezone (a
-- parent and a grown child on one family line). The number then carries both borrowers' contacts:
-- the per-point caps and the STOP-from-a-number rule have something to do. Same seed, same rows.
-- Returns the count.
INSERT INTO borrower_contact_points (borrower_id, kind, address, place, source, added_at)
SELECT b.borrower_id, 'phone', b.family_phone, 'home', 'synthetic', b.created_at
FROM (
    SELECT s.borrower_id, s.i, s.phone_e164, bo.created_at,
           lag(s.phone_e164) OVER (PARTITION BY s.timezone ORDER BY s.i) AS family_phone
    FROM syn_borrowers AS s JOIN borrowers AS bo USING (borrower_id)
) AS b
WHERE syn_u($seed, b.i, 'family_phone') < 0.03
  AND b.family_phone IS NOT NULL AND b.family_phone IS DISTINCT FROM b.phone_e164;
