-- Drops the audit's temp tables once the report is built, so a long-lived connection (the
-- simulator's) does not keep a copy of the contact log in memory. Returns nothing.
DROP TABLE IF EXISTS audit_rows;
DROP TABLE IF EXISTS audit_contacts;
DROP TABLE IF EXISTS audit_profiles;
DROP TABLE IF EXISTS audit_holidays;
DROP TABLE IF EXISTS audit_ladder;
DROP TABLE IF EXISTS audit_legal_steps;
DROP TABLE IF EXISTS audit_steps;
DROP TABLE IF EXISTS audit_phone_zones;
DROP TABLE IF EXISTS audit_profile_zones;
DROP TABLE IF EXISTS audit_profile_countries;
DROP TABLE IF EXISTS audit_vulnerable;
DROP TABLE IF EXISTS audit_visits;
DROP TABLE IF EXISTS audit_phones;
DROP TABLE IF EXISTS audit_zones;
DROP TABLE IF EXISTS audit_reply_meanings;
DROP TABLE IF EXISTS audit_surveys;
DROP TABLE IF EXISTS audit_handoff_steps;
DROP TABLE IF EXISTS audit_experiment_versions;
DROP TABLE IF EXISTS audit_experiment_days;
DROP TABLE IF EXISTS audit_arm_steps;
DROP TABLE IF EXISTS audit_experiment_arms;
DROP TABLE IF EXISTS audit_arm_skips;
