-- phone_zones (phone, zone, region): where each phone of borrower_phones may be: the stored lookups of
-- this numbering plan (phone_lookups) and those just made (temp table phone_lookups_new, from
-- phones_to_look_up.sql). Read by borrower_zones.sql and borrower_policy.sql.
CREATE OR REPLACE TEMP TABLE phone_zones AS
SELECT l.phone, l.zone, l.region
FROM phone_lookups AS l
WHERE l.numbering_plan = $numbering_plan AND l.phone IN (SELECT phone FROM borrower_phones)
UNION ALL
SELECT phone, zone, region FROM phone_lookups_new;
