-- The dialer hand-off (issue 16 part B, loan_comms/calls/dialer.py): what was pushed to the dialer,
-- so each assigned call reaches it once and only once, and a call the policy withdrew (or whose
-- agent or slot changed) is cancelled there once. Ids, states and a hash only: the payload (with
-- the unmasked number) is recomputed from the log on each pass and never stored.
--
-- state:
--   pending    to push: never at the dialer, or its list showed it absent
--   sending    claimed (committed) before its request left; a pass that finds one left by a crash
--              makes it 'unknown'
--   sent       the dialer holds it as dialer_ref
--   unknown    the request may have arrived (timeout, reset after sending, 5xx, unreadable 2xx): NEVER
--              sent again before the dialer's list (GET /v1/calls?plan_date=) shows it absent
--   failed     the dialer refused it (4xx other than 408/429): loud, an operator looks
--   cancel_due the dialer holds it (dialer_ref) and the policy withdrew it or its agent/slot changed:
--              DELETE /v1/calls/{dialer_ref} (idempotent) until the dialer confirms
--   cancelled  cancelled at the dialer (final); a changed call goes back to 'pending' instead, with
--              the cancelled id kept in replaced_refs
--   withdrawn  the policy withdrew it before it was ever pushed (nothing to cancel; final)
--   filed      kind "file": written to the team's JSONL of its plan day
CREATE TABLE IF NOT EXISTS dialer_pushes (
    attempt_id      VARCHAR PRIMARY KEY,          -- the call's contact_attempts / call_assignments row
    plan_date       DATE NOT NULL,
    team            VARCHAR NOT NULL,
    agent_id        VARCHAR,
    state           VARCHAR NOT NULL,
    dialer_ref      VARCHAR,                      -- the dialer's id of the call it holds
    tries           INTEGER NOT NULL DEFAULT 0,   -- POSTs that carried this call
    first_try_at    TIMESTAMPTZ,
    last_try_at     TIMESTAMPTZ,
    payload_sha256  VARCHAR NOT NULL,             -- of the payload last claimed (or wanted, while pending)
    cancel_reason   VARCHAR,                      -- withdrawn: <attempt status>[: <reason>] | changed: agent or slot
    cancel_tries    INTEGER NOT NULL DEFAULT 0,   -- DELETEs sent for it
    cancelled_at    TIMESTAMPTZ,
    replaced_refs   VARCHAR[] NOT NULL DEFAULT [],-- dialer ids cancelled because the call changed
    error           VARCHAR,                      -- the last request's problem (no personal data)
    recorded_at     TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS dialer_pushes_day ON dialer_pushes (plan_date);
