-- visit_slot_window: Did every visit assigned to a pair of field agents get a slot the borrower and
-- both agents could keep? The slot (visit_assignments, outcome 'assigned') must lie inside the
-- borrower's contact window on the visit's local day (the profile's window_start..window_end on the
-- borrower's clock), inside the recorded shift of each agent of the pair (agent_days, on the
-- assignment's work_date), on a working day ([visits].working_days, not a holiday of the profile);
-- no agent may hold two overlapping slots, nor more visits and calls on a work date than the
-- capacity recorded for that shift.
-- Why: issue 16 (no slot outside the borrower's window or the agent's shift, no agent over
-- capacity); FCA CONC 7.9 (visits at reasonable times, prepared); China's guidance (two collectors).
-- Reads visit_assignments, agent_days, call_assignments, contact_attempts, borrowers and the config,
-- not the planner's code.
-- Checked: every visit assigned to a pair.
-- Violation: the slot starts before the window opens or ends after it closes, falls outside an
-- agent's shift (or the shift was never recorded), is on a non-working day or a holiday, overlaps
-- another slot of one of its agents, or an agent of the pair is over capacity that work date.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH assigned AS (
    SELECT va.attempt_id, va.borrower_id, va.loan_id, va.plan_date, va.agent_ids, va.work_date,
           va.slot_start, va.slot_end, b.timezone, coalesce(p.profile, 'default') AS profile
    FROM visit_assignments AS va
    LEFT JOIN borrowers AS b USING (borrower_id)
    LEFT JOIN audit_profiles AS p ON p.profile = b.jurisdiction
    WHERE va.outcome = 'assigned'
),
per_agent AS (
    SELECT a.attempt_id, u.agent_id, a.work_date, a.slot_start, a.slot_end
    FROM assigned AS a, unnest(a.agent_ids) AS u(agent_id)
),
load AS (   -- units used per agent and work date: visits of the pair, and calls
    SELECT agent_id, work_date, sum(n) AS used
    FROM (SELECT agent_id, work_date, count(*) AS n FROM per_agent GROUP BY ALL
          UNION ALL
          SELECT agent_id, work_date, count(*) FROM call_assignments
          WHERE outcome = 'assigned' AND agent_id IS NOT NULL GROUP BY ALL)
    GROUP BY ALL
),
agent_checks AS (
    SELECT pa.attempt_id,
           string_agg(CASE WHEN d.agent_id IS NULL THEN pa.agent_id || ': no shift recorded on ' || pa.work_date
                           WHEN pa.slot_start < d.shift_start OR pa.slot_end > d.shift_end
                               THEN pa.agent_id || ': slot outside the shift ' || strftime(d.shift_start, '%H:%M')
                                    || '-' || strftime(d.shift_end, '%H:%M') || ' UTC'
                           WHEN l.used > d.capacity
                               THEN pa.agent_id || ': ' || l.used || ' visits and calls on ' || pa.work_date
                                    || ' (capacity ' || d.capacity || ')'
                           WHEN EXISTS (SELECT 1 FROM per_agent AS o
                                        WHERE o.agent_id = pa.agent_id AND o.attempt_id <> pa.attempt_id
                                          AND o.slot_start < pa.slot_end AND pa.slot_start < o.slot_end)
                               THEN pa.agent_id || ': overlaps another slot of the agent' END, '; ') AS problem,
           count(*) AS agents
    FROM per_agent AS pa
    LEFT JOIN agent_days AS d ON d.agent_id = pa.agent_id AND d.work_date = pa.work_date
    LEFT JOIN load AS l ON l.agent_id = pa.agent_id AND l.work_date = pa.work_date
    GROUP BY pa.attempt_id
)
SELECT a.attempt_id, a.borrower_id, a.loan_id, a.plan_date, a.agent_ids, a.work_date, a.slot_start, a.slot_end,
       CASE WHEN a.timezone IS NULL THEN 'borrower unknown or without timezone: the window cannot be told'
            WHEN a.slot_start >= a.slot_end THEN 'empty slot'
            WHEN a.slot_start < timezone(a.timezone, a.plan_date + p.window_start)
              OR a.slot_end > timezone(a.timezone, a.plan_date + p.window_end)
                THEN 'slot ' || strftime(timezone(a.timezone, a.slot_start), '%H:%M') || '-'
                     || strftime(timezone(a.timezone, a.slot_end), '%H:%M') || ' local, outside the window '
                     || left(p.window_start::VARCHAR, 5) || '-' || left(p.window_end::VARCHAR, 5)
            WHEN NOT list_contains(v.working_days, isodow(a.plan_date))
                THEN 'visit planned on a ' || dayname(a.plan_date) || ', not a working day'
            WHEN h.day IS NOT NULL THEN 'visit planned on a public holiday: ' || h.name
            WHEN coalesce(c.agents, 0) < 2 THEN 'assigned to ' || coalesce(c.agents, 0) || ' agent(s), not a pair'
            WHEN c.problem IS NOT NULL THEN c.problem
       END AS violation
FROM assigned AS a
CROSS JOIN audit_visits AS v
LEFT JOIN audit_profiles AS p ON p.profile = a.profile
LEFT JOIN audit_holidays AS h ON h.profile = a.profile AND h.day = a.plan_date
LEFT JOIN agent_checks AS c USING (attempt_id);
