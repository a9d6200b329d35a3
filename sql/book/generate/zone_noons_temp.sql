-- syn_zone_noons: noon of every local day a synthetic payment can fall on, in UTC, for each timezone
-- of the book (returns nothing). A payment at local 08:00-21:59 is that noon plus its minutes from noon:
-- every zone of the book changes its clock at night, so a day's daytime has one offset. Converting
-- once per (zone, day) instead of once per payment keeps ICU out of the millions-of-rows path.
CREATE OR REPLACE TEMP TABLE syn_zone_noons AS
SELECT z.timezone, d::DATE AS day, timezone(z.timezone, d + INTERVAL 12 HOUR) AS utc_noon
FROM (SELECT DISTINCT timezone FROM syn_loans) AS z,
     generate_series((SELECT min(opened_on) FROM syn_loans)::TIMESTAMP,
                     ($start::DATE + $horizon_days)::TIMESTAMP, INTERVAL 1 DAY) AS r(d);
