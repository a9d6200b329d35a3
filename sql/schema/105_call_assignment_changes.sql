-- call_assignment_changes: what the dialer had been told about a call before dispatch changed it
-- (issue 16, review item 4). call_assignments holds a call's CURRENT terms; when the re-check before
-- send moves its slot (sql/calls/assign/move_slots.sql) or carries it (carry_misfits.sql), the terms
-- in force until then are appended here first, with changed_at = the instant they stopped being in
-- force. Append-only (never updated or deleted), so the log shows every version the dialer may have
-- dialled under; the audit dial_attempts judges each dial against the version in force when it
-- happened. Ids and times only: not personal data.
CREATE TABLE IF NOT EXISTS call_assignment_changes (
    attempt_id   VARCHAR NOT NULL,                -- the call (call_assignments.attempt_id)
    changed_at   TIMESTAMPTZ NOT NULL,            -- the terms below were in force until this instant
    change       VARCHAR NOT NULL,                -- slot_moved | carried
    outcome      VARCHAR NOT NULL,                -- the terms in force until changed_at:
    agent_id     VARCHAR,
    work_date    DATE,
    slot_start   TIMESTAMPTZ,
    slot_end     TIMESTAMPTZ,
    queue_rank   INTEGER,
    max_dials    INTEGER,
    dial_until   TIMESTAMPTZ,
    PRIMARY KEY (attempt_id, changed_at)
);
