-- phone_lookups: where each phone number may be, as the numbering plan says: its IANA zones and the
-- main region of its country code, one row per zone (zone NULL: the plan names none; region NULL:
-- no country), exactly the rows loan_comms/policy/zones.py phone_zone_rows gives it.
-- numbering_plan: the `phonenumbers` version that looked it up; a lookup of another version is not
-- used (an upgraded library looks every number up again), so the table only saves the lookups.
-- Written by the plan's record (sql/policy/zones/record_phone_lookups.sql: the numbers its decide
-- looked up, anti-joined, so a replay writes nothing), read by sql/policy/zones/phone_zones.sql.
-- Why: the lookup is per-number Python (parsing, the numbering plan's patterns), ~45 us a number:
-- the phones of a million-loan day cost seconds every day; a number is now looked up once.
CREATE TABLE IF NOT EXISTS phone_lookups (
    phone           VARCHAR NOT NULL,
    zone            VARCHAR,
    region          VARCHAR,
    numbering_plan  VARCHAR NOT NULL
);
