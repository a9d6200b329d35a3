-- Marks $as_of as planned: every contact of the day is recorded. Returns nothing.
UPDATE day_runs SET planned_at = $recorded_at, policy_version = $policy_version
WHERE as_of = $as_of::DATE AND planned_at IS NULL;
