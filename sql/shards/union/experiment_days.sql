-- experiment_days over every shard: one row per (day, experiment), the version the first shard
-- recorded (every shard of a day plans with the same file). Reads _all_experiment_days.
CREATE OR REPLACE VIEW experiment_days AS
SELECT day, experiment, min(version) AS version
FROM _all_experiment_days
GROUP BY day, experiment;
