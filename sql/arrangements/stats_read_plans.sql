-- stats_read_plans: what became of the plans in one slice ($dimension: 'all', 'product', 'option',
-- 'kind', 'source', 'agreed_via') for the report and the summary: value, requested, accepted, active, kept, broken,
-- pending_review, declined, missed_any, keep_rate. Largest first, at most 20. Reads arrangement_stats_plan_slices.
SELECT value, requested, accepted, active, kept, broken, pending_review, declined, missed_any, keep_rate
FROM arrangement_stats_plan_slices
WHERE dimension = $dimension
ORDER BY requested DESC, value
LIMIT 20;
