-- import_good_borrowers: one row per borrower of the file with no borrower-level problem on any line,
-- with the values of its first readable line (they are equal on all its lines, else it was
-- quarantined as conflicting). Returns nothing.
CREATE OR REPLACE TEMP TABLE import_good_borrowers AS
SELECT l.borrower_id, l.full_name, l.first_name, l.phone_e164, l.email, l.language, l.timezone,
       l.timezone_source, l.address_timezone, l.city, l.district, l.jurisdiction, l.segment
FROM import_borrower_keys AS k
JOIN import_lines AS l ON l.line = k.first_line
WHERE k.borrower_id NOT IN (SELECT borrower_id FROM import_bad_borrowers);
