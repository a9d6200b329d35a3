-- The book's ledger of day runs: every day with whether its plan completed (planned) and whether
-- its dispatch did (dispatched), oldest first. One row per day.
SELECT as_of, planned_at IS NOT NULL AS planned, dispatched_at IS NOT NULL AS dispatched
FROM day_runs ORDER BY as_of;
