-- The call queue names who makes each call and when (issue 16, loan_comms/calls/assign.py): the
-- agent and slot of the call's assignment (call_assignments), its priority score, and what the
-- dialer may do with it: at most max_dials dial attempts, none after dial_until. NULL for a call
-- without an assignment (no roster: team 'unassigned'). Idempotent.
ALTER TABLE call_queue ADD COLUMN IF NOT EXISTS agent_id VARCHAR;
ALTER TABLE call_queue ADD COLUMN IF NOT EXISTS slot_start TIMESTAMPTZ;
ALTER TABLE call_queue ADD COLUMN IF NOT EXISTS slot_end TIMESTAMPTZ;
ALTER TABLE call_queue ADD COLUMN IF NOT EXISTS priority_score DOUBLE;
ALTER TABLE call_queue ADD COLUMN IF NOT EXISTS max_dials INTEGER;
ALTER TABLE call_queue ADD COLUMN IF NOT EXISTS dial_until TIMESTAMPTZ;
