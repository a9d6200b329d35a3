-- The distinct phones, timezones and currencies of import_stage (kind, value), so that Python checks
-- each value once (phonenumbers, zoneinfo, babel) however many lines repeat it.
SELECT DISTINCT 'phone' AS kind, trim(phone_e164) AS value
FROM import_stage WHERE line_problem IS NULL AND nullif(trim(phone_e164), '') IS NOT NULL
UNION
SELECT DISTINCT 'timezone', trim(timezone)
FROM import_stage WHERE line_problem IS NULL AND nullif(trim(timezone), '') IS NOT NULL
UNION
SELECT DISTINCT 'timezone', trim(address_timezone)
FROM import_stage WHERE line_problem IS NULL AND nullif(trim(address_timezone), '') IS NOT NULL
UNION
SELECT DISTINCT 'currency', upper(trim(currency))
FROM import_stage WHERE line_problem IS NULL AND nullif(trim(currency), '') IS NOT NULL;
