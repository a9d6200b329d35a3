-- The ledger of day runs: which local days have been planned and dispatched, and when.
-- It is what makes re-running a day safe: a day whose plan completed is never planned again
-- (a re-run only finishes what a crash left undone), derived state (delinquency episodes) moves
-- only on the newest day, and a day before the newest one that was never planned is refused.
CREATE TABLE IF NOT EXISTS day_runs (
    as_of            DATE PRIMARY KEY,              -- the local day the run is for
    plan_started_at  TIMESTAMPTZ NOT NULL,          -- first attempt to plan it
    planned_at       TIMESTAMPTZ,                   -- every contact of the day recorded (NULL: interrupted)
    dispatched_at    TIMESTAMPTZ,                   -- the day's last window closed on a simulated-clock dispatch
    policy_version   VARCHAR                        -- the policy the plan was made with
);

-- Databases from before the ledger: every day that has contacts counts as planned and dispatched
-- (once, while the ledger is still empty).
INSERT INTO day_runs (as_of, plan_started_at, planned_at, dispatched_at, policy_version)
SELECT planned_for_date, min(created_at), max(created_at), max(updated_at), max(policy_version)
FROM contact_attempts
WHERE NOT EXISTS (SELECT 1 FROM day_runs)
GROUP BY planned_for_date;
