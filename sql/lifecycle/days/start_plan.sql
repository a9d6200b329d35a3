-- Notes that planning $as_of has started (once; a resumed plan keeps the first start). Returns nothing.
INSERT INTO day_runs (as_of, plan_started_at, policy_version)
SELECT $as_of::DATE, $recorded_at, $policy_version
WHERE NOT EXISTS (SELECT 1 FROM day_runs WHERE as_of = $as_of::DATE);
