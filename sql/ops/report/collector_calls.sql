-- Collector calls over the whole run, for the demo's closing lines: one row per outcome and
-- reason of call_assignments (assigned, or carried with its reason), with the calls and the plan
-- days they span; then (kind 'capacity') the call capacity of every agent shift the plans used or
-- held (agent_days, field agents excluded: their capacity is visits) and how much of it calls took;
-- then (kind 'dialer') dialer_pushes by state. Counts only.
SELECT 'calls' AS kind, outcome || coalesce(': ' || reason, '') AS what, count(*)::INTEGER AS n,
       count(DISTINCT plan_date)::INTEGER AS days, NULL::INTEGER AS total
FROM call_assignments GROUP BY ALL
UNION ALL
SELECT 'capacity', 'agent shifts', count(*)::INTEGER, count(DISTINCT work_date)::INTEGER,
       coalesce(sum(capacity), 0)::INTEGER
FROM agent_days WHERE NOT list_contains(skills, 'field')
UNION ALL
SELECT 'capacity', 'calls in them', count(*)::INTEGER, NULL, NULL
FROM call_assignments ca
WHERE ca.outcome = 'assigned'
  AND EXISTS (SELECT 1 FROM agent_days d WHERE d.agent_id = ca.agent_id AND d.work_date = ca.work_date
                                          AND NOT list_contains(d.skills, 'field'))
UNION ALL
SELECT 'dialer', state, count(*)::INTEGER, NULL, NULL FROM dialer_pushes GROUP BY ALL
ORDER BY kind, what;
