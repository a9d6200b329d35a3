-- The distinct phones, timezones and currencies of import_stage (kind, value), so that Python checks
-- each value once (phonenumbers, zoneinfo, babel) however many lines repeat it. needs_zone: a phone on
-- a line without a timezone, whose zone may become the borrower's (only those are looked up).
SELECT 'phone' AS kind, trim(phone_e164) AS value, bool_or(nullif(trim(timezone), '') IS NULL) AS needs_zone
FROM import_stage WHERE line_problem IS NULL AND nullif(trim(phone_e164), '') IS NOT NULL
GROUP BY 2
UNION ALL
SELECT 'timezone', value, false
FROM (SELECT trim(timezone) AS value
      FROM import_stage WHERE line_problem IS NULL AND nullif(trim(timezone), '') IS NOT NULL
      UNION
      SELECT trim(address_timezone)
      FROM import_stage WHERE line_problem IS NULL AND nullif(trim(address_timezone), '') IS NOT NULL)
UNION ALL
SELECT DISTINCT 'currency', upper(trim(currency)), false
FROM import_stage WHERE line_problem IS NULL AND nullif(trim(currency), '') IS NOT NULL;
