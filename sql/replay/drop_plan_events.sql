-- Removes the repayment-plan events (payment, missed, broken, kept: source 'daily_plan') the plans of
-- $start and later recorded: their recorded_at is the wall-clock start of those plans ($plans_from,
-- day_runs.plan_started_at of $start; NULL: none recorded). Returns nothing.
DELETE FROM borrower_events WHERE source = 'daily_plan' AND $plans_from::TIMESTAMPTZ IS NOT NULL
  AND recorded_at >= $plans_from::TIMESTAMPTZ;
