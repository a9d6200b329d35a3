-- call_withdrawals (review 16 item 1): a call the dialer may still dial (assigned, its contact
-- planned or already released, its dial_until ahead, no conversation on it yet) that the policy,
-- re-judged by a later dispatch pass (loan_comms/policy/engine.py recheck_held_calls), now forbids
-- (the borrower paid, asked us to stop, disputed, was handed off...). The next dialer pass leaves it
-- out of what the dialer should hold (sql/calls/dialer/desired.sql) and so cancels it there, the
-- reason in dialer_pushes.cancel_reason. A planned one is also suppressed with that reason.
-- One row per call, the first verdict wins (replay-safe). Read by the audit dial_after_withdrawal.
CREATE TABLE IF NOT EXISTS call_withdrawals (
    attempt_id      VARCHAR PRIMARY KEY,          -- the call's contact_attempts / call_assignments row
    borrower_id     VARCHAR NOT NULL,
    status          VARCHAR NOT NULL,             -- the contact's status when withdrawn: planned | sent
    reason          VARCHAR NOT NULL,             -- the gate's reason (loan_comms/policy/catalog.py)
    policy_version  VARCHAR,
    withdrawn_at    TIMESTAMPTZ NOT NULL          -- the dispatch pass's instant
);
