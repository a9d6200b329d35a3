-- Keeps the config text behind $policy_version, the first time that version decides anything.
INSERT INTO policy_versions (policy_version, config_text, first_used_at)
SELECT $policy_version, $config_text, $recorded_at
WHERE NOT EXISTS (SELECT 1 FROM policy_versions WHERE policy_version = $policy_version);
