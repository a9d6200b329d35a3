-- Suppressed contacts per reason (suppressed_reason, else the rule that decided: decided_by_rule)
-- over $start..$end, in the recorded log and in the replay: which caps and rules fired more or less.
-- One row per reason seen on either side.
WITH rec AS (
    SELECT coalesce(suppressed_reason, decided_by_rule, 'unknown') AS reason, count(*) AS n
    FROM replay_recorded_attempts WHERE status = 'suppressed' GROUP BY ALL
), rep AS (
    SELECT coalesce(suppressed_reason, decided_by_rule, 'unknown') AS reason, count(*) AS n
    FROM contact_attempts WHERE status = 'suppressed' AND planned_for_date BETWEEN $start AND $end GROUP BY ALL
)
SELECT reason, coalesce(rec.n, 0) AS recorded, coalesce(rep.n, 0) AS replay
FROM rec FULL OUTER JOIN rep USING (reason)
ORDER BY reason;
