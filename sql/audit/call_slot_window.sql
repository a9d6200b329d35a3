-- call_slot_window: Was every call given to an agent given a slot inside the borrower's window AND
-- the agent's shift, with its last allowed dial inside both too? The window is the call's own
-- (contact_attempts send_after .. send_before, as finally recorded: narrowed at dispatch when the
-- person's window narrowed); the shift is the agent's shift as the plan recorded it (agent_days,
-- the agent's own local work date, UTC instants), not today's roster.
-- Why: issue 16: a collector may call only when the borrower may be called and while on shift;
-- the dialer is told to stop at dial_until.
-- Checked: every call assignment with outcome 'assigned' (call_assignments).
-- Violation: no such call in the log or no such shift; an empty slot; the slot starts before the
-- window opens or ends after it closes; the slot is outside the shift; dial_until after the
-- window's close or the shift's end, or before the slot starts.
CREATE OR REPLACE TEMP TABLE audit_rows AS
SELECT s.attempt_id, s.borrower_id, s.loan_id, s.step, s.agent_id, s.work_date, s.slot_start, s.slot_end,
       s.dial_until, a.send_after, a.send_before, d.shift_start, d.shift_end,
       CASE WHEN a.attempt_id IS NULL THEN 'assigned call not in contact_attempts'
            WHEN a.channel <> 'call' THEN 'assignment of a ' || a.channel || ' contact, not a call'
            WHEN d.agent_id IS NULL THEN 'agent shift ' || coalesce(s.agent_id, '?') || ' / '
                                         || coalesce(s.work_date::VARCHAR, '?') || ' not recorded in agent_days'
            WHEN s.slot_start IS NULL OR s.slot_end IS NULL OR s.slot_end <= s.slot_start THEN 'no slot, or an empty one'
            WHEN s.slot_start < a.send_after THEN 'slot starts before the borrower''s window opens'
            WHEN s.slot_end > a.send_before THEN 'slot ends after the borrower''s window closes'
            WHEN s.slot_start < d.shift_start OR s.slot_end > d.shift_end THEN 'slot outside the agent''s shift'
            WHEN s.dial_until IS NULL OR s.dial_until > a.send_before THEN 'dial_until after the borrower''s window closes'
            WHEN s.dial_until > d.shift_end THEN 'dial_until after the agent''s shift ends'
            WHEN s.dial_until < s.slot_start THEN 'dial_until before the slot starts'
       END AS violation
FROM call_assignments AS s
LEFT JOIN contact_attempts AS a ON a.attempt_id = s.attempt_id
LEFT JOIN agent_days AS d ON d.agent_id = s.agent_id AND d.work_date = s.work_date
WHERE s.outcome = 'assigned';
