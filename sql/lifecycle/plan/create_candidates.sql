-- candidates: every contact the lifecycle would like to make on $as_of, before the policy speaks.
-- Filled by the reminder, ladder and follow-up planners; the policy turns each into one decision.
-- One row per key once they are done: candidates_once.sql keeps each key's first proposal. No key
-- index: duckdb 2.0 maintains one row by row, ~40% of the planners' inserts.
CREATE OR REPLACE TEMP TABLE candidates (
    idempotency_key  VARCHAR NOT NULL,
    borrower_id      VARCHAR NOT NULL,
    loan_id          VARCHAR NOT NULL,
    installment_no   INTEGER,
    channel          VARCHAR NOT NULL,
    purpose          VARCHAR NOT NULL,
    step             VARCHAR NOT NULL,
    episode_id       VARCHAR,
    severity         INTEGER NOT NULL,
    amount_due       DECIMAL(18, 2),
    due_date         DATE,
    dpd              INTEGER NOT NULL DEFAULT 0,
    promised_date    DATE
);
