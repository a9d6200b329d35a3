-- Strategy experiments (issue 19; loan_comms/experiments/, config/experiments.toml).
-- experiment_assignments: which arm each borrower of an experiment's population was drawn into, on
-- the local day the plan first saw them in the population (assigned_on). The draw is a salted hash of
-- the borrower (sql/experiments/day_arms.sql), so it is stable for the experiment's life; the row
-- is written once (an anti-join: re-running a day adds nothing) and never changed, except that it is
-- closed (left_on, reason) when the borrower leaves the arm: its guardrail stopped it. One person,
-- one treatment: a borrower is in at most one running experiment.
CREATE TABLE IF NOT EXISTS experiment_assignments (
    experiment   VARCHAR NOT NULL,
    borrower_id  VARCHAR NOT NULL,
    arm          VARCHAR NOT NULL,
    draw         DOUBLE NOT NULL,           -- the hash draw in [0, 1) the arm was read from
    assigned_on  DATE NOT NULL,             -- the borrower's local day of the plan that assigned them
    left_on      DATE,                      -- from this day on, planned as the champion
    reason       VARCHAR,                   -- why they left: 'guardrail'
    PRIMARY KEY (experiment, borrower_id)
);

-- experiment_arms: arms stopped by a guardrail (loan_comms/experiments/guardrails.py): from
-- stopped_on on, the arm takes no one and its borrowers are planned as the champion. One row per
-- stopped arm, written once with the numbers that fired it.
CREATE TABLE IF NOT EXISTS experiment_arms (
    experiment   VARCHAR NOT NULL,
    arm          VARCHAR NOT NULL,
    stopped_on   DATE NOT NULL,
    reason       VARCHAR NOT NULL,          -- 'complaint_rate' | 'opt_out_rate'
    detail       JSON,                      -- the rates, the difference's interval, the counts
    stopped_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (experiment, arm)
);

-- experiment_versions: each definition of an experiment the plan ran with (the experiment as validated
-- from config/experiments.toml, as JSON), once per version (its content hash); experiment_days: which
-- version of each running experiment each plan day used. Written by the plan in its transaction
-- (sql/experiments/record_versions.sql), so the audit judges every day by the experiment as it was that
-- day (a ramped share, a later end, an arm dropped), whatever the file says today, and a book audited
-- without the file that made it is judged right.
CREATE TABLE IF NOT EXISTS experiment_versions (
    version      VARCHAR PRIMARY KEY,       -- sha256 of the definition, 16 hex digits
    experiment   VARCHAR NOT NULL,
    definition   JSON NOT NULL,
    first_day    DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS experiment_days (
    day          DATE NOT NULL,             -- the plan day (borrowers' local day)
    experiment   VARCHAR NOT NULL,
    version      VARCHAR NOT NULL,
    PRIMARY KEY (day, experiment)
);

-- Every contact of a borrower in a running experiment names it and their arm ('champion' included),
-- so outcomes are computed from the log, and the audit re-checks the arm (experiment_arm_honoured).
-- NULL outside any experiment.
ALTER TABLE contact_attempts ADD COLUMN IF NOT EXISTS experiment VARCHAR;
ALTER TABLE contact_attempts ADD COLUMN IF NOT EXISTS arm VARCHAR;
