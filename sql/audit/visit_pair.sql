-- visit_pair: Did the pair assigned to every visit made go to the door? Each outcome of a visit
-- (a 'visit_outcome' event whose detail.attempt_id is the visit; detail.collectors, the ids
-- present) must name at least [visits].min_collectors collectors including both agents the visit
-- plan assigned (visit_assignments.agent_ids); a cancelled visit (outcome 'cancelled': nobody went
-- in) is not judged on who was there. Once the visit plan assigns visits (the first plan day with
-- a visit_assignments row), a visit made without an assigned pair is a violation too.
-- Why: China's collection guidance (at least two collectors, identified, accountable for the
-- visit); issue 16 (visits go to the assigned pair of field agents, recorded in full).
-- Checked: every attempted visit.
-- Violation: a visit made with no pair assigned (on or after the first day the plan assigned
-- visits), or an outcome naming fewer than min_collectors collectors or not both agents assigned.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH outcomes AS (
    SELECT CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.attempt_id') END AS attempt_id,
           CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.outcome') END AS outcome,
           CASE WHEN json_valid(detail) THEN coalesce(json_extract_string(detail, '$.collectors[*]'), [])
                ELSE [] END AS collectors
    FROM borrower_events
    WHERE kind = 'visit_outcome'
),
judged AS (
    SELECT o.attempt_id,
           string_agg(DISTINCT array_to_string(list_sort(o.collectors), ','), ' | ') AS named,
           bool_or(len(o.collectors) < v.min_collectors) AS too_few,
           bool_or(NOT list_has_all(o.collectors, coalesce(va.agent_ids, []))) AS without_pair
    FROM outcomes AS o
    CROSS JOIN audit_visits AS v
    LEFT JOIN visit_assignments AS va ON va.attempt_id = o.attempt_id AND va.outcome = 'assigned'
    WHERE o.attempt_id IS NOT NULL AND coalesce(o.outcome, '') <> 'cancelled'
    GROUP BY o.attempt_id
),
planning_since AS (SELECT min(plan_date) AS first_day FROM visit_assignments)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.planned_for_date, c.sent_at, va.agent_ids AS assigned,
       j.named AS collectors_named, a.min_collectors,
       CASE WHEN va.attempt_id IS NULL AND c.planned_for_date >= s.first_day
                THEN 'visit made without a pair of field agents assigned by the visit plan'
            WHEN j.too_few THEN 'a visit outcome names fewer than ' || a.min_collectors || ' collectors'
            WHEN j.without_pair THEN 'a visit outcome names ' || j.named || ', not the assigned pair '
                                     || array_to_string(va.agent_ids, ',')
       END AS violation
FROM audit_contacts AS c
CROSS JOIN audit_visits AS a
CROSS JOIN planning_since AS s
LEFT JOIN visit_assignments AS va ON va.attempt_id = c.attempt_id AND va.outcome = 'assigned'
LEFT JOIN judged AS j ON j.attempt_id = c.attempt_id
WHERE c.channel = 'visit';
