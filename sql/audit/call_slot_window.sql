-- call_slot_window: Was every call given to an agent given a slot inside the borrower's window AND
-- the agent's shift, with its last allowed dial inside both too? The window is the call's own
-- (contact_attempts send_after .. send_before, as finally recorded: narrowed at dispatch when the
-- person's window narrowed); the shift is the agent's shift as the plan recorded it (agent_days,
-- the agent's own local work date, UTC instants), not today's roster.
-- And did the dials the plan allowed (max_dials) fit what calls_per_7_days left, per borrower AND
-- per number? For the calls assigned on one plan day to one borrower (and, separately, to one
-- number, whoever's it is): the max_dials they were ALL allowed, plus the dials already made
-- (audit_contacts.dials) by the other calls of that borrower / to that number sent in the 7 days
-- before the call's slot, must not exceed the borrower's profile calls_per_7_days (the number:
-- the lowest cap among the borrowers of that day's calls on it).
-- Why: issue 16: a collector may call only when the borrower may be called and while on shift;
-- the dialer is told to stop at dial_until, and may place max_dials: a shared number or several
-- calls of one borrower in a day must not let it exceed the cap (review 16, item 2).
-- Checked: every call assignment with outcome 'assigned' (call_assignments).
-- Violation: no such call in the log or no such shift; an empty slot; the slot starts before the
-- window opens or ends after it closes; the slot is outside the shift; dial_until after the
-- window's close or the shift's end, or before the slot starts; the borrower's or the number's
-- allowed dials over calls_per_7_days.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH given AS (   -- each assigned call: its borrower, its number and that borrower's cap
    SELECT s.attempt_id, s.plan_date, s.borrower_id, a.contact_point AS point, s.slot_start,
           coalesce(s.max_dials, 1) AS max_dials, coalesce(p.calls_per_7_days, dp.calls_per_7_days) AS cap
    FROM call_assignments AS s
    JOIN contact_attempts AS a ON a.attempt_id = s.attempt_id
    LEFT JOIN borrowers AS b ON b.borrower_id = s.borrower_id
    LEFT JOIN audit_profiles AS p ON p.profile = b.jurisdiction
    LEFT JOIN audit_profiles AS dp ON dp.profile = 'default'
    WHERE s.outcome = 'assigned'
),
over AS (
    SELECT g.attempt_id,
           (SELECT sum(x.max_dials) FROM given AS x WHERE x.borrower_id = g.borrower_id AND x.plan_date = g.plan_date)
           + coalesce((SELECT sum(k.dials) FROM audit_contacts AS k
                       WHERE k.channel = 'call' AND k.borrower_id = g.borrower_id
                         AND k.sent_at >= g.slot_start - INTERVAL 7 DAYS AND k.sent_at < g.slot_start
                         AND k.attempt_id NOT IN (SELECT x.attempt_id FROM given AS x
                                                  WHERE x.borrower_id = g.borrower_id AND x.plan_date = g.plan_date)), 0)
               AS borrower_dials,
           g.cap AS borrower_cap,
           CASE WHEN g.point IS NOT NULL THEN
               (SELECT sum(x.max_dials) FROM given AS x WHERE x.point = g.point AND x.plan_date = g.plan_date)
               + coalesce((SELECT sum(k.dials) FROM audit_contacts AS k
                           WHERE k.channel = 'call' AND k.point = g.point
                             AND k.sent_at >= g.slot_start - INTERVAL 7 DAYS AND k.sent_at < g.slot_start
                             AND k.attempt_id NOT IN (SELECT x.attempt_id FROM given AS x
                                                      WHERE x.point = g.point AND x.plan_date = g.plan_date)), 0)
           END AS point_dials,
           (SELECT min(x.cap) FROM given AS x WHERE x.point = g.point AND x.plan_date = g.plan_date) AS point_cap
    FROM given AS g
)
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
            WHEN o.borrower_dials > o.borrower_cap
                THEN 'the borrower''s calls were allowed ' || o.borrower_dials || ' dial(s) in 7 days (cap '
                     || o.borrower_cap || ')'
            WHEN o.point_dials > o.point_cap
                THEN 'the calls to this number were allowed ' || o.point_dials || ' dial(s) in 7 days (cap '
                     || o.point_cap || ')'
       END AS violation
FROM call_assignments AS s
LEFT JOIN contact_attempts AS a ON a.attempt_id = s.attempt_id
LEFT JOIN agent_days AS d ON d.agent_id = s.agent_id AND d.work_date = s.work_date
LEFT JOIN over AS o ON o.attempt_id = s.attempt_id
WHERE s.outcome = 'assigned';
