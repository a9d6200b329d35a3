-- experiment_versions over every shard: one row per version, first used on the first day any shard
-- used it (each shard records the versions its own plans ran). Reads _all_experiment_versions.
CREATE OR REPLACE VIEW experiment_versions AS
SELECT version, any_value(experiment) AS experiment, any_value(definition) AS definition, min(first_day) AS first_day
FROM _all_experiment_versions
GROUP BY version;
