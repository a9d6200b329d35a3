-- call_agent_fit: Was every call given to an agent who speaks the borrower's language and has the
-- skills the call needed? Read from the log, not from the planner: the borrower's language
-- (borrowers), 'vulnerable' when the borrower's latest vulnerable / vulnerable_ended event before
-- the call was planned is 'vulnerable' (before contact_attempts.created_at, and no later than the call's
-- window opening, send_after: created_at is the wall clock of the run, which on a simulated or replayed
-- book is long after the days it plans), plus every skill the
-- assignment itself recorded as required (call_assignments.required_skills); the agent as the plan
-- recorded the shift (agent_days). A field agent (skill 'field') makes visits, not calls.
-- Why: issue 16 and FCA FG21/1: a vulnerable customer is called by someone trained for it; a
-- borrower is spoken to in their own language.
-- Checked: every call assignment with outcome 'assigned'.
-- Violation: the agent does not speak the language; lacks the vulnerable-customer skill for a
-- vulnerable borrower, or a recorded required skill; is a field agent.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH vulnerable AS (
    SELECT s.attempt_id,
           arg_max(e.kind, e.occurred_at) = 'vulnerable' AS vulnerable
    FROM call_assignments AS s
    JOIN contact_attempts AS a ON a.attempt_id = s.attempt_id
    JOIN borrower_events AS e ON e.borrower_id = s.borrower_id AND e.kind IN ('vulnerable', 'vulnerable_ended')
     AND e.occurred_at <= least(a.created_at, coalesce(a.send_after, a.created_at))
     AND coalesce(e.scope, 'borrower') <> 'point'
    WHERE s.outcome = 'assigned'
    GROUP BY s.attempt_id
)
SELECT s.attempt_id, s.borrower_id, s.agent_id, s.work_date, b.language, d.languages, d.skills,
       s.required_skills, coalesce(v.vulnerable, false) AS vulnerable,
       CASE WHEN d.agent_id IS NULL THEN 'agent shift not recorded in agent_days'
            WHEN NOT list_contains(d.languages, b.language) THEN 'agent does not speak ' || b.language
            WHEN coalesce(v.vulnerable, false) AND NOT list_contains(d.skills, 'vulnerable')
                THEN 'vulnerable borrower, agent without the vulnerable-customer skill'
            WHEN NOT list_has_all(d.skills, s.required_skills)
                THEN 'agent lacks a required skill: ' || array_to_string(list_filter(s.required_skills,
                                                                  lambda k: NOT list_contains(d.skills, k)), ', ')
            WHEN list_contains(d.skills, 'field') THEN 'a field agent given a call'
       END AS violation
FROM call_assignments AS s
JOIN borrowers AS b USING (borrower_id)
LEFT JOIN agent_days AS d ON d.agent_id = s.agent_id AND d.work_date = s.work_date
LEFT JOIN vulnerable AS v ON v.attempt_id = s.attempt_id
WHERE s.outcome = 'assigned';
