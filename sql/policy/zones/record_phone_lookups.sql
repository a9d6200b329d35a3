-- Stores the phone lookups the day's decide made (temp table phone_lookups_new, zones.py) in
-- phone_lookups under $numbering_plan, so no later run looks those numbers up again. Anti-join on
-- (phone, numbering_plan): a replayed day, or a number stored meanwhile, adds nothing.
INSERT INTO phone_lookups (phone, zone, region, numbering_plan)
SELECT n.phone, n.zone, n.region, $numbering_plan
FROM phone_lookups_new AS n
WHERE NOT EXISTS (SELECT 1 FROM phone_lookups AS l
                  WHERE l.phone = n.phone AND l.numbering_plan = $numbering_plan);
