-- policy_versions over every shard: one row per policy version, first used when any shard first
-- used it. Reads _all_policy_versions.
CREATE OR REPLACE VIEW policy_versions AS
SELECT policy_version, any_value(config_text) AS config_text, min(first_used_at) AS first_used_at
FROM _all_policy_versions
GROUP BY policy_version;
