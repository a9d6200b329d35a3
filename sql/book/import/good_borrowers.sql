-- import_good_borrowers: one row per borrower of the file with no borrower-level problem on any line
-- (values are equal on all its lines, else it was quarantined as conflicting). Returns nothing.
CREATE OR REPLACE TEMP TABLE import_good_borrowers AS
SELECT borrower_id,
       arg_min(full_name, line)    AS full_name,
       arg_min(first_name, line)   AS first_name,
       arg_min(phone_e164, line)   AS phone_e164,
       arg_min(email, line)        AS email,
       arg_min(language, line)     AS language,
       arg_min(timezone, line)     AS timezone,
       arg_min(timezone_source, line) AS timezone_source,
       arg_min(address_timezone, line) AS address_timezone,
       arg_min(city, line)         AS city,
       arg_min(district, line)     AS district,
       arg_min(jurisdiction, line) AS jurisdiction,
       arg_min(segment, line)      AS segment
FROM import_resolved
WHERE line_problem IS NULL AND borrower_id IS NOT NULL AND NOT borrower_bad
GROUP BY borrower_id;
