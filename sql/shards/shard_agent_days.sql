-- The shifts (temp table day_agent_days, as they stood over every shard) that the calls of shard
-- $shard were assigned to: what that shard records in its agent_days (the union reads the first
-- recorded snapshot of each shift, sql/shards/union/agent_days.sql).
SELECT d.* FROM day_agent_days AS d
WHERE EXISTS (SELECT 1 FROM day_call_assignments AS a
              JOIN shard_day_calls AS c USING (idempotency_key)
              WHERE c.shard = $shard AND a.outcome = 'assigned'
                AND a.agent_id = d.agent_id AND a.work_date = d.work_date);
