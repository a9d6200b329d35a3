-- Where the person is (issue 11, part B). Idempotent.
--   borrowers.address_timezone  IANA zone of the borrower's postal address when known (importable,
--                               optional): one more plausible zone (sql/policy/zones/borrower_zones.sql).
--   borrowers.timezone_source   how borrowers.timezone was set: 'file' (given in the import; NULL on
--                               older rows means the same), 'phone' (derived from the phone's one
--                               zone), 'jurisdiction' (derived as the first zone of the jurisdiction's
--                               profile: then EVERY zone of that profile is plausible).
ALTER TABLE borrowers ADD COLUMN IF NOT EXISTS address_timezone VARCHAR;
ALTER TABLE borrowers ADD COLUMN IF NOT EXISTS timezone_source VARCHAR;
