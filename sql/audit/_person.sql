-- audit_phones and audit_zones: every phone of every borrower, and every zone they may be in, as
-- the audit reads them (the tables only, not the planner's views), for the rules that judge where
-- the person is (quiet_hours_every_zone, preferences_honoured). Returns nothing.
--   audit_phones (borrower_id, phone, since): the borrower row's phone and every phone contact
--     point; since = when it was added to the book (NULL for the borrower row's own: always). A
--     phone added later is evidence of where the person is only from then on.
--   audit_zones (borrower_id, zone, since, source): source 'file' (the timezone on file), 'address'
--     (address_timezone), 'phone' (every zone of a phone, audit_phone_zones), 'jurisdiction' (every
--     zone of the profile, only when the timezone on file was derived from it).
CREATE OR REPLACE TEMP TABLE audit_phones AS
SELECT borrower_id, phone_e164 AS phone, NULL::TIMESTAMPTZ AS since FROM borrowers WHERE phone_e164 IS NOT NULL
UNION
SELECT borrower_id, address, added_at FROM borrower_contact_points WHERE kind = 'phone';

CREATE OR REPLACE TEMP TABLE audit_zones AS
SELECT borrower_id, timezone AS zone, NULL::TIMESTAMPTZ AS since, 'file' AS source FROM borrowers
UNION
SELECT borrower_id, address_timezone, NULL, 'address' FROM borrowers WHERE address_timezone IS NOT NULL
UNION
SELECT b.borrower_id, z.zone, b.since, 'phone'
FROM audit_phones AS b JOIN audit_phone_zones AS z ON z.phone = b.phone WHERE z.zone IS NOT NULL
UNION
SELECT b.borrower_id, pz.zone, NULL, 'jurisdiction'
FROM borrowers AS b
LEFT JOIN audit_profiles AS p ON p.profile = b.jurisdiction
JOIN audit_profile_zones AS pz ON pz.profile = coalesce(p.profile, 'default')
WHERE b.timezone_source = 'jurisdiction';
