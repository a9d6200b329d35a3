-- Inserts the file's clean borrowers that are not in the database yet. Returns the number inserted.
INSERT INTO borrowers (borrower_id, full_name, first_name, phone_e164, email, language, timezone,
                       jurisdiction, segment, created_at, timezone_source, address_timezone, city, district)
SELECT g.borrower_id, g.full_name, g.first_name, g.phone_e164, g.email, g.language, g.timezone,
       g.jurisdiction, g.segment, $now, g.timezone_source, g.address_timezone, g.city, g.district
FROM import_good_borrowers AS g
WHERE NOT EXISTS (SELECT 1 FROM borrowers AS b WHERE b.borrower_id = g.borrower_id);
