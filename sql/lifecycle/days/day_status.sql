-- day_status: where the day $as_of stands in the ledger of day runs. One row:
--   started, planned, dispatched   (booleans for $as_of itself)
--   latest                          the newest day ever started (NULL on a fresh book)
--   interrupted                     the earliest day before $as_of whose plan was started and never finished
SELECT
    EXISTS (SELECT 1 FROM day_runs WHERE as_of = $as_of::DATE) AS started,
    EXISTS (SELECT 1 FROM day_runs WHERE as_of = $as_of::DATE AND planned_at IS NOT NULL) AS planned,
    EXISTS (SELECT 1 FROM day_runs WHERE as_of = $as_of::DATE AND dispatched_at IS NOT NULL) AS dispatched,
    (SELECT max(as_of) FROM day_runs) AS latest,
    (SELECT min(as_of) FROM day_runs WHERE as_of < $as_of::DATE AND planned_at IS NULL) AS interrupted;
