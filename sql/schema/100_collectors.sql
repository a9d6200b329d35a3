-- Collector work (issue 16): who works which call, when, and what the day's roster was.
-- Written with the day's plan (loan_comms/calls/assign.py, in the plan's record transaction), so a
-- replayed day writes nothing new; ids only (no numbers, no names): not personal data.

-- agent_days: each agent's shift as it stood when a plan first used it, one row per agent and work
-- date (the agent's OWN local date: a Shanghai agent's 11 Nov shift can take a New York borrower's
-- calls of 10 Nov). Capacity is per agent and work date, whichever plan days fill it: calls and
-- visits assigned to it (call_assignments / visit_assignments with that agent_id and work_date)
-- never exceed it. Recorded by the plan of the day (anti-join: first recorded wins), so the audit
-- judges slots and capacity against this snapshot, not against today's agents.toml.
CREATE TABLE IF NOT EXISTS agent_days (
    agent_id     VARCHAR NOT NULL,
    work_date    DATE NOT NULL,                   -- the agent's local date of the shift
    team         VARCHAR NOT NULL,
    languages    VARCHAR[] NOT NULL,
    skills       VARCHAR[] NOT NULL,
    cities       VARCHAR[] NOT NULL,              -- field agents: the cities they cover ('*' = any)
    capacity     INTEGER NOT NULL,                -- calls in that shift (field agents: visits)
    timezone     VARCHAR NOT NULL,
    shift_start  TIMESTAMPTZ NOT NULL,            -- UTC
    shift_end    TIMESTAMPTZ NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agent_id, work_date)
);

-- call_assignments: every call the policy let through on a plan day, with its team, priority and
-- either its agent and slot (outcome 'assigned') or why it was carried to the next allowed day
-- (outcome 'carried'; the contact_attempts row is then suppressed with the same reason and the
-- ladder/callback proposes it again the next day, under every cap, with carried_days + 1).
CREATE TABLE IF NOT EXISTS call_assignments (
    attempt_id       VARCHAR PRIMARY KEY,         -- the call's contact_attempts row
    plan_date        DATE NOT NULL,
    borrower_id      VARCHAR NOT NULL,
    loan_id          VARCHAR,
    step             VARCHAR NOT NULL,
    team             VARCHAR NOT NULL,            -- from the routing rules (agents.toml [[routing]])
    agent_id         VARCHAR,                     -- NULL when carried
    work_date        DATE,                        -- the agent's shift it fills (agent_days.work_date)
    slot_start       TIMESTAMPTZ,                 -- inside the borrower's window AND the agent's shift
    slot_end         TIMESTAMPTZ,
    queue_rank       INTEGER,                     -- the agent's calling order that day (1 = first)
    priority_score   DOUBLE NOT NULL,
    priority_reasons VARCHAR NOT NULL,            -- JSON list of {"factor", "value", "points"}: the score's parts
    required_skills  VARCHAR[] NOT NULL,          -- e.g. ['vulnerable'], ['hardship']
    carried_days     INTEGER NOT NULL DEFAULT 0,  -- earlier plan days this same call was carried
    outcome          VARCHAR NOT NULL,            -- assigned | carried
    reason           VARCHAR,                     -- carried: agent_capacity | no_agent_today | no_agent
    max_dials        INTEGER,                     -- dial attempts the dialer may place (assigned only)
    dial_until       TIMESTAMPTZ,                 -- and the last instant it may dial: min(window end, shift end)
    recorded_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS call_assignments_day ON call_assignments (plan_date);
