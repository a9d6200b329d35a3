-- candidates: every contact the lifecycle would like to make on $as_of, before the policy speaks.
-- Filled by the reminder, ladder and follow-up planners; the policy turns each into one decision.
CREATE OR REPLACE TEMP TABLE candidates (
    idempotency_key  VARCHAR PRIMARY KEY,
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
