-- The wanted calls of plan day $plan_date (temp table dialer_desired) for the file dialer: team and
-- payload, in calling order (team, slot, attempt): one JSONL per team, the same bytes each run.
SELECT team, payload FROM dialer_desired ORDER BY team, slot_start, attempt_id;
