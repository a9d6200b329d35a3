-- The wall-clock instant the plan of $start was first started (day_runs.plan_started_at), from
-- which the plan's own events were recorded; NULL when the ledger has no row for it.
SELECT plan_started_at FROM day_runs WHERE as_of = $start;
