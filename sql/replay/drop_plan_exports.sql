-- Removes the core-banking records of the plan events drop_plan_events.sql removed (broken, kept:
-- created by the plans of $start and later, at $plans_from or later). Returns nothing.
DELETE FROM arrangement_exports WHERE event IN ('broken', 'kept') AND $plans_from::TIMESTAMPTZ IS NOT NULL
  AND created_at >= $plans_from::TIMESTAMPTZ;
