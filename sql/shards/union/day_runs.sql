-- day_runs over every shard: each shard keeps its own ledger of day runs (a shard plans and
-- dispatches on its own), and the sharded book has planned (dispatched) a day when EVERY shard
-- has: planned_at / dispatched_at are the last shard's, NULL while any shard is still short of
-- it (a day interrupted in one shard is interrupted for the book). Reads _all_day_runs and
-- union_shards (one row per shard file).
CREATE OR REPLACE VIEW day_runs AS
SELECT as_of, min(plan_started_at) AS plan_started_at,
       CASE WHEN count(planned_at) = (SELECT count(*) FROM union_shards) THEN max(planned_at) END AS planned_at,
       CASE WHEN count(dispatched_at) = (SELECT count(*) FROM union_shards) THEN max(dispatched_at) END AS dispatched_at,
       max(policy_version) AS policy_version
FROM _all_day_runs
GROUP BY as_of;
