-- stats_plan_slices: rebuilds arrangement_stats_plan_slices, what became of the plans for every
-- value of every slice: dimension in ('all', 'product', 'option', 'kind', 'source', 'agreed_via'), value
-- its value.
-- Columns: requested (every plan asked for), accepted (became active: rules or a reviewer), active
-- (accepted, neither broken nor kept yet), kept, broken, pending_review, declined, missed_any
-- (accepted plans with at least one missed installment), keep_rate (kept / (kept + broken), 0-1,
-- NULL while none has ended). Reads arrangement_stats_plans. Replaced whole on every run.
CREATE OR REPLACE TABLE arrangement_stats_plan_slices AS
WITH long AS (
    UNPIVOT (SELECT outcome, status, missed, 'all' AS "all", product, option_id AS option, kind, source, agreed_via
             FROM arrangement_stats_plans)
    ON "all", product, option, kind, source, agreed_via
    INTO NAME dimension VALUE value
)
SELECT dimension, value,
       count(*) AS requested,
       count(*) FILTER (WHERE status = 'active') AS accepted,
       count(*) FILTER (WHERE outcome = 'active') AS active,
       count(*) FILTER (WHERE outcome = 'kept') AS kept,
       count(*) FILTER (WHERE outcome = 'broken') AS broken,
       count(*) FILTER (WHERE outcome = 'pending_review') AS pending_review,
       count(*) FILTER (WHERE outcome = 'declined') AS declined,
       count(*) FILTER (WHERE status = 'active' AND missed > 0) AS missed_any,
       CASE WHEN count(*) FILTER (WHERE outcome IN ('kept', 'broken')) > 0 THEN
            round(count(*) FILTER (WHERE outcome = 'kept') / count(*) FILTER (WHERE outcome IN ('kept', 'broken')), 4)
       END AS keep_rate
FROM long
GROUP BY dimension, value
ORDER BY dimension, value;
