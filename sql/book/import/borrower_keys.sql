-- import_borrower_keys: one row per borrower of the file, over its lines that could be read: the
-- first of them (a good borrower is loaded from it) and whether they disagree on any attribute
-- (conflicting; which ones, problem_lines.sql works out for those few). Returns nothing.
CREATE OR REPLACE TEMP TABLE import_borrower_keys AS
SELECT borrower_id, min(line) AS first_line, min(sig) <> max(sig) AS conflicting
FROM (SELECT borrower_id, line,
             hash(full_name, first_name, coalesce(phone_e164, phone_in), email, language, timezone,
                  address_timezone, city, district, jurisdiction, segment) AS sig
      FROM import_lines
      WHERE line_problem IS NULL AND borrower_id IS NOT NULL)
GROUP BY borrower_id;
