-- Updates borrowers already in the database whose exported attributes changed (a new phone, a move).
-- Returns the number of borrowers updated; unchanged ones are not touched.
UPDATE borrowers AS b
SET full_name = g.full_name, first_name = g.first_name, phone_e164 = g.phone_e164, email = g.email,
    language = g.language, timezone = g.timezone, jurisdiction = g.jurisdiction, segment = g.segment,
    timezone_source = g.timezone_source, address_timezone = g.address_timezone, city = g.city,
    district = g.district
FROM import_good_borrowers AS g
WHERE b.borrower_id = g.borrower_id
  AND (b.full_name IS DISTINCT FROM g.full_name OR b.first_name IS DISTINCT FROM g.first_name
       OR b.phone_e164 IS DISTINCT FROM g.phone_e164 OR b.email IS DISTINCT FROM g.email
       OR b.language IS DISTINCT FROM g.language OR b.timezone IS DISTINCT FROM g.timezone
       OR b.jurisdiction IS DISTINCT FROM g.jurisdiction OR b.segment IS DISTINCT FROM g.segment
       OR b.address_timezone IS DISTINCT FROM g.address_timezone
       OR b.city IS DISTINCT FROM g.city OR b.district IS DISTINCT FROM g.district);
