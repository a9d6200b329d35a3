-- The day's call assignments (temp table day_call_assignments, made over every shard) of the calls
-- shard $shard exported (temp table shard_day_calls: idempotency_key, shard): what that shard records.
SELECT a.* FROM day_call_assignments AS a
JOIN shard_day_calls AS c USING (idempotency_key)
WHERE c.shard = $shard;
