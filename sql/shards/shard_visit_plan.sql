-- The day's visit plan rows (temp table shard_visit_plan: loan_comms/visits/plan.py's rows over every
-- shard) of the visits shard $shard exported (temp table shard_day_visits: idempotency_key, shard).
SELECT p.* FROM shard_visit_plan AS p
JOIN shard_day_visits AS v USING (idempotency_key)
WHERE v.shard = $shard;
