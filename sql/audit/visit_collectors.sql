-- visit_collectors: Was every home visit recorded in full: an outcome naming at least
-- [visits].min_collectors collectors present, recorded within [visits].outcome_within_days days of
-- the visit? Why: China's collection guidance asks for at least two collectors on a visit and for
-- every visit to be recorded (what happened, who was there); FCA CONC 7.9: visits accountable.
-- An outcome is a 'visit_outcome' event whose detail.attempt_id is the visit (its collectors:
-- detail.collectors, a JSON list of ids); "recorded" is the event's recorded_at (when it reached us).
-- A cancelled visit (outcome 'cancelled': nobody went in) is a record in time, not judged on who was there.
-- Checked: every attempted visit.
-- Violation: an outcome of the visit names fewer than min_collectors collectors; or none of its
-- outcomes was recorded within outcome_within_days days of the visit (sent_at), either recorded
-- later or not at all while that time has passed as of $now.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH outcomes AS (
    SELECT CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.attempt_id') END AS attempt_id,
           coalesce(CASE WHEN json_valid(detail) THEN json_array_length(detail, '$.collectors') END, 0)
               AS collectors,
           CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.outcome') END AS outcome,
           recorded_at
    FROM borrower_events
    WHERE kind = 'visit_outcome'
),
per_visit AS (
    SELECT attempt_id, count(*) AS outcomes, min(collectors) FILTER (WHERE coalesce(outcome, '') <> 'cancelled') AS fewest_collectors,
           min(recorded_at) AS first_recorded_at
    FROM outcomes WHERE attempt_id IS NOT NULL GROUP BY attempt_id
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at, c.sent_day,
       coalesce(o.outcomes, 0) AS outcomes, o.fewest_collectors, o.first_recorded_at,
       a.min_collectors, a.outcome_within_days,
       CASE WHEN o.fewest_collectors < a.min_collectors
                THEN 'visit outcome recorded with ' || o.fewest_collectors || ' collector(s) present (at least '
                     || a.min_collectors || ')'
            WHEN o.first_recorded_at > c.sent_at + to_days(a.outcome_within_days)
                THEN 'visit outcome first recorded ' || strftime(o.first_recorded_at, '%Y-%m-%d %H:%M')
                     || ' UTC, more than ' || a.outcome_within_days || ' day(s) after the visit'
            WHEN o.first_recorded_at IS NULL AND c.sent_at + to_days(a.outcome_within_days) <= $now
                THEN 'no outcome recorded for the visit within ' || a.outcome_within_days || ' day(s)'
       END AS violation
FROM audit_contacts AS c
CROSS JOIN audit_visits AS a
LEFT JOIN per_visit AS o ON o.attempt_id = c.attempt_id
WHERE c.channel = 'visit';
