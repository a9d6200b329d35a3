-- Days before $before that an interrupted simulated-clock run left unfinished, oldest first: the
-- plan never completed, or the plan completed and contacts of the day are still planned because
-- the day's dispatch never ran to its end. Returns (as_of, planned).
SELECT d.as_of, d.planned_at IS NOT NULL AS planned
FROM day_runs AS d
WHERE d.as_of < $before::DATE
  AND d.dispatched_at IS NULL
  AND (d.planned_at IS NULL
       OR EXISTS (SELECT 1 FROM contact_attempts AS a WHERE a.planned_for_date = d.as_of AND a.status = 'planned'))
ORDER BY d.as_of;
