-- dial_attempts: Did the dialer place only the dials the policy allowed each call it was given: no
-- more dial attempts than the call's max_dials, none after its dial_until, and each dial that names
-- an agent placed by an agent whose shift (as recorded on that day's roster) contained the dial?
-- The limits are those the plan recorded with the call (call_assignments: max_dials, dial_until,
-- the export's "how many attempts and until when"); the shifts are agent_days (the roster as the
-- plan first used it, UTC instants). A dial is a call_outcome event naming the call
-- (detail.attempt_id), one per dial attempt, redials included; dials are numbered per call in the
-- order they happened.
-- Why: issue 16: the dialer may place at most the attempts the policy allows (Reg F 1006.14(b)(2)
-- counts placed calls), and a call is made by a rostered person at work, not by anyone with a login.
-- Checked: every dial of a call that has a call_assignments row with outcome 'assigned'.
-- Violation: the first that applies: the dial's number above max_dials; the dial after dial_until;
-- the dial names an agent with no agent_days shift containing it.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH dials AS (
    SELECT e.event_id, e.occurred_at AS dialled_at,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.attempt_id') END AS attempt_id,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.outcome') END AS outcome,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.agent_id') END AS agent_id
    FROM borrower_events AS e
    WHERE e.kind = 'call_outcome'
),
numbered AS (
    SELECT d.*, row_number() OVER (PARTITION BY d.attempt_id ORDER BY d.dialled_at, d.event_id) AS dial_no
    FROM dials AS d
    WHERE d.attempt_id IN (SELECT attempt_id FROM call_assignments WHERE outcome = 'assigned')
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.step, c.agent_id AS assigned_agent, n.agent_id AS dialled_by,
       n.outcome, n.dial_no, c.max_dials, n.dialled_at, c.dial_until,
       CASE
           WHEN c.max_dials IS NULL OR n.dial_no > c.max_dials
               THEN 'dial #' || n.dial_no || ' of a call allowed ' || coalesce(c.max_dials::VARCHAR, 'no') || ' dial(s)'
           WHEN c.dial_until IS NULL OR n.dialled_at > c.dial_until
               THEN 'dialled at ' || strftime(n.dialled_at, '%Y-%m-%d %H:%M') || ' UTC, after the call''s dial_until '
                    || coalesce(strftime(c.dial_until, '%Y-%m-%d %H:%M') || ' UTC', '(none)')
           WHEN n.agent_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM agent_days AS s
                            WHERE s.agent_id = n.agent_id
                              AND n.dialled_at >= s.shift_start AND n.dialled_at <= s.shift_end)
               THEN 'dialled by agent ' || n.agent_id || ' at ' || strftime(n.dialled_at, '%Y-%m-%d %H:%M')
                    || ' UTC, outside any shift of theirs on the roster'
       END AS violation
FROM numbered AS n
JOIN call_assignments AS c USING (attempt_id)
WHERE c.outcome = 'assigned';
