-- Hand-off at the end of the ladder (issue 16, part E; docs/collectors/handoff.md).
-- handoffs: one row per loan handed to the legal or agency partner. Written by the daily plan in its
-- record transaction (sql/handoff/record.sql) from the loans whose hand-off step (the ladder step
-- flagged handoff = true) went, or counts as taken without a bar on collection (sql/handoff/state.sql);
-- a re-run adds nothing. handed_off_at: when the hand-off step was sent (a letter: released), or the
-- opening of the window it would have gone in when it could never go. attempt_id: that contact.
-- exported_at / export_file: set once, in one transaction, after the case file and its manifest were
-- renamed into place (loan_comms/handoff/export.py); NULL: not exported yet.
-- recalled_at / recall_reason: an operator gave the case back (`loan-comms handoff recall`, which also
-- records a handoff_recalled event): contacts resume where the ladder stood. A loan handed off again
-- later (a new delinquency episode reaching the step after a recall) replaces its recalled row; the
-- earlier hand-off stays in the log (its contact, the recall event, its case file).
CREATE TABLE IF NOT EXISTS handoffs (
    loan_id        VARCHAR PRIMARY KEY,
    borrower_id    VARCHAR NOT NULL,
    step           VARCHAR NOT NULL,
    attempt_id     VARCHAR NOT NULL,
    handed_off_at  TIMESTAMPTZ NOT NULL,
    partner        VARCHAR NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    exported_at    TIMESTAMPTZ,
    export_file    VARCHAR,
    recalled_at    TIMESTAMPTZ,
    recall_reason  VARCHAR
);
