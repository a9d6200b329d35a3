-- experiment_arms over every shard: one row per stopped arm, the earliest stop any shard recorded
-- (a stop applies to the whole arm). Reads _all_experiment_arms.
CREATE OR REPLACE VIEW experiment_arms AS
SELECT experiment, arm, min(stopped_on) AS stopped_on, arg_min(reason, stopped_on) AS reason,
       arg_min(detail, stopped_on) AS detail, min(stopped_at) AS stopped_at
FROM _all_experiment_arms
GROUP BY experiment, arm;
