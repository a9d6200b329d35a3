-- dial_attempts: Did the dialer place only the dials the policy allowed each call it was given: no
-- more dial attempts than the call's max_dials, none before its slot starts or after its
-- dial_until, each dial that names an agent placed by an agent whose shift (as recorded on that
-- day's roster) contained the dial, and that agent the one the call was assigned to?
-- The terms are those IN FORCE WHEN THE DIAL HAPPENED: the call's current call_assignments row,
-- unless dispatch changed it after the dial (a moved slot, a carried call): then the version
-- call_assignment_changes kept (the earliest change after the dial holds the terms in force
-- before it). The shifts are agent_days (the roster as the plan first used it, UTC instants).
-- A dial is a call_outcome event naming the call (detail.attempt_id), one per dial attempt,
-- redials included; dials are numbered per call in the order they happened.
-- Why: issue 16: the dialer may place at most the attempts the policy allows (Reg F 1006.14(b)(2)
-- counts placed calls), in the slot it was given, and a call is made by the rostered person it
-- was given to, at work, not by anyone with a login (review 16, items 4 and b).
-- Checked: every dial of a call that is, or was, assigned (call_assignments outcome 'assigned', or
-- a call_assignment_changes version 'assigned') and whose terms in force at the dial were
-- 'assigned'. A dial while the call stood carried is the concern of the rule on withdrawn calls.
-- Violation: the first that applies: the dial's number above max_dials; the dial after
-- dial_until; the dial before slot_start; the dial names an agent with no agent_days shift
-- containing it; the dial names an agent other than the assigned one.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH dials AS (
    SELECT e.event_id, e.occurred_at AS dialled_at,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.attempt_id') END AS attempt_id,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.outcome') END AS outcome,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.agent_id') END AS agent_id
    FROM borrower_events AS e
    WHERE e.kind = 'call_outcome'
),
given AS (
    SELECT attempt_id FROM call_assignments WHERE outcome = 'assigned'
    UNION SELECT attempt_id FROM call_assignment_changes WHERE outcome = 'assigned'
),
numbered AS (
    SELECT d.*, row_number() OVER (PARTITION BY d.attempt_id ORDER BY d.dialled_at, d.event_id) AS dial_no
    FROM dials AS d
    WHERE d.attempt_id IN (SELECT attempt_id FROM given)
),
in_force AS (   -- the terms each dial was placed under
    SELECT n.*, coalesce(h.outcome, c.outcome) AS terms_outcome,
           CASE WHEN h.attempt_id IS NOT NULL THEN h.agent_id ELSE c.agent_id END AS assigned_agent,
           CASE WHEN h.attempt_id IS NOT NULL THEN h.slot_start ELSE c.slot_start END AS slot_start,
           CASE WHEN h.attempt_id IS NOT NULL THEN h.max_dials ELSE c.max_dials END AS max_dials,
           CASE WHEN h.attempt_id IS NOT NULL THEN h.dial_until ELSE c.dial_until END AS dial_until,
           h.changed_at AS terms_changed_at
    FROM numbered AS n
    JOIN call_assignments AS c USING (attempt_id)
    LEFT JOIN LATERAL (SELECT * FROM call_assignment_changes AS x
                       WHERE x.attempt_id = n.attempt_id AND x.changed_at > n.dialled_at
                       ORDER BY x.changed_at LIMIT 1) AS h ON true
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.step, f.assigned_agent, f.agent_id AS dialled_by,
       f.outcome, f.dial_no, f.max_dials, f.dialled_at, f.slot_start, f.dial_until, f.terms_changed_at,
       CASE
           WHEN f.max_dials IS NULL OR f.dial_no > f.max_dials
               THEN 'dial #' || f.dial_no || ' of a call allowed ' || coalesce(f.max_dials::VARCHAR, 'no') || ' dial(s)'
           WHEN f.dial_until IS NULL OR f.dialled_at > f.dial_until
               THEN 'dialled at ' || strftime(f.dialled_at, '%Y-%m-%d %H:%M') || ' UTC, after the call''s dial_until '
                    || coalesce(strftime(f.dial_until, '%Y-%m-%d %H:%M') || ' UTC', '(none)')
           WHEN f.slot_start IS NULL OR f.dialled_at < f.slot_start
               THEN 'dialled at ' || strftime(f.dialled_at, '%Y-%m-%d %H:%M') || ' UTC, before the call''s slot '
                    || coalesce(strftime(f.slot_start, '%Y-%m-%d %H:%M') || ' UTC', '(none)')
           WHEN f.agent_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM agent_days AS s
                            WHERE s.agent_id = f.agent_id
                              AND f.dialled_at >= s.shift_start AND f.dialled_at <= s.shift_end)
               THEN 'dialled by agent ' || f.agent_id || ' at ' || strftime(f.dialled_at, '%Y-%m-%d %H:%M')
                    || ' UTC, outside any shift of theirs on the roster'
           WHEN f.agent_id IS NOT NULL AND f.agent_id IS DISTINCT FROM f.assigned_agent
               THEN 'dialled by agent ' || f.agent_id || ', not ' || coalesce(f.assigned_agent, '(no agent)')
                    || ' the call was assigned to'
       END AS violation
FROM in_force AS f
JOIN call_assignments AS c USING (attempt_id)
WHERE f.terms_outcome = 'assigned';
