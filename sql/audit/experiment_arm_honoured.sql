-- experiment_arm_honoured: Was every contact of an experiment's borrower planned under the arm the
-- borrower was drawn into, only while that arm ran, and with only what the arm proposes? Judged by
-- each experiment as the plan ran it that day (audit_experiment_days, audit_experiment_versions,
-- audit_experiment_arms, audit_arm_steps: read by the audit runner from the book's experiment_versions,
-- never from today's file; a ramped share or a later end does not make an earlier day wrong), and the
-- book's experiment_assignments and experiment_arms:
--   * the recorded arm is the one the draw gives, under the version in force on the day of the draw:
--     md5(salt || ':' || borrower_id)'s first 8 bytes (little-endian) / 2^64 against the arms'
--     cumulative shares (a tampered or re-drawn assignment shows here);
--   * a contact names an experiment only if that experiment ran that day and its borrower was assigned
--     to it on or before the day (the latest assignment of the borrower is theirs);
--   * while the borrower is in their arm (not left, the arm not stopped, the arm still in the day's
--     version), every contact names that arm; otherwise none names a challenger: they are planned as
--     the champion;
--   * a challenger's reminder or ladder contact is a step and channel its arm proposes (no skipped
--     step or reminder, no channel the arm does not use).
-- The contact policy itself is not judged here: every other rule judges every contact, of every arm,
-- against the same policy; no arm has a policy of its own (config/experiments.toml).
-- Checked: every contact_attempts row, suppressed ones included (outside any experiment, a contact
-- must name none).
-- Violation: the first problem above that applies.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH assigned AS (   -- each assignment, judged by the version in force on its day
    SELECT a.*, v.version AS drawn_version, x.salt, s.stopped_on,
           md5_number_upper(x.salt || ':' || a.borrower_id)::DOUBLE / 18446744073709551616.0 AS redraw
    FROM experiment_assignments AS a
    LEFT JOIN audit_experiment_days AS v ON v.experiment = a.experiment AND v.day = a.assigned_on
    LEFT JOIN audit_experiment_versions AS x ON x.version = v.version
    LEFT JOIN experiment_arms AS s ON s.experiment = a.experiment AND s.arm = a.arm
),
drawn AS (
    SELECT a.experiment, a.borrower_id, r.arm AS drawn_arm
    FROM assigned AS a
    LEFT JOIN audit_experiment_arms AS r ON r.version = a.drawn_version AND a.redraw >= r.lo AND a.redraw < r.hi
),
latest AS (   -- the borrower's assignment on each contact's day: the latest made by then
    SELECT c.attempt_id, a.experiment, a.arm, a.assigned_on, a.left_on, a.stopped_on, a.drawn_version
    FROM contact_attempts AS c
    JOIN assigned AS a ON a.borrower_id = c.borrower_id AND a.assigned_on <= c.planned_for_date
    QUALIFY row_number() OVER (PARTITION BY c.attempt_id ORDER BY a.assigned_on DESC, a.experiment) = 1
),
checked AS (
    SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.purpose, c.step, c.status,
           c.planned_for_date, c.experiment, c.arm,
           l.experiment AS assigned_experiment, l.arm AS assigned_arm, l.assigned_on, l.left_on, l.stopped_on,
           d.drawn_arm, l.drawn_version,
           ran.version AS day_version,            -- the assigned experiment's version that day (NULL: not running)
           named.version AS named_version         -- the named experiment's version that day
    FROM contact_attempts AS c
    LEFT JOIN latest AS l USING (attempt_id)
    LEFT JOIN drawn AS d ON d.experiment = l.experiment AND d.borrower_id = c.borrower_id
    LEFT JOIN audit_experiment_days AS ran ON ran.experiment = l.experiment AND ran.day = c.planned_for_date
    LEFT JOIN audit_experiment_days AS named ON named.experiment = c.experiment AND named.day = c.planned_for_date
),
judged AS (
    SELECT k.*,
           k.day_version IS NOT NULL AS in_experiment,
           (k.left_on IS NOT NULL AND k.left_on <= k.planned_for_date)
           OR (k.stopped_on IS NOT NULL AND k.stopped_on <= k.planned_for_date)
           OR NOT EXISTS (SELECT 1 FROM audit_experiment_arms AS r
                          WHERE r.version = k.day_version AND r.arm = k.assigned_arm) AS out_of_arm
    FROM checked AS k
)
SELECT j.attempt_id, j.borrower_id, j.loan_id, j.channel, j.purpose, j.step, j.status, j.planned_for_date,
       j.experiment, j.arm, j.assigned_experiment, j.assigned_arm, j.drawn_arm, j.assigned_on, j.left_on,
       j.stopped_on, j.day_version,
       CASE
           WHEN j.experiment IS NULL AND NOT j.in_experiment THEN NULL   -- outside any experiment
           WHEN j.experiment IS NOT NULL AND j.named_version IS NULL
               THEN 'names experiment ' || j.experiment || ', which did not run on ' || j.planned_for_date
           WHEN j.experiment IS NOT NULL AND j.assigned_experiment IS NULL
               THEN 'names experiment ' || j.experiment || ' on ' || j.planned_for_date
                    || ', but the borrower was not assigned to it then'
           WHEN j.experiment IS NOT NULL AND j.experiment <> j.assigned_experiment
               THEN 'names experiment ' || j.experiment || ' but the borrower is in ' || j.assigned_experiment
           WHEN j.drawn_version IS NULL
               THEN 'assigned to ' || j.assigned_experiment || ' on ' || j.assigned_on
                    || ', a day the plan did not record it running'
           WHEN j.drawn_arm IS DISTINCT FROM j.assigned_arm
               THEN 'assigned to arm ' || j.assigned_arm || ' of ' || j.assigned_experiment || ', but the draw gives '
                    || coalesce(j.drawn_arm, 'no arm of the experiment')
           WHEN j.experiment IS NULL
               THEN 'the borrower is in experiment ' || j.assigned_experiment || ' but the contact names none'
           WHEN NOT j.out_of_arm AND j.arm <> j.assigned_arm
               THEN 'planned under arm ' || j.arm || ', but the borrower is in arm ' || j.assigned_arm
           WHEN j.out_of_arm AND j.arm <> 'champion'
               THEN 'planned under arm ' || j.arm || ' after the borrower left it'
                    || coalesce(' (' || least(j.left_on, j.stopped_on) || ')',
                                ' (' || coalesce(j.left_on, j.stopped_on) || ')', ': the arm is no longer run')
           WHEN j.arm <> 'champion' AND j.purpose IN ('reminder', 'escalation')
                AND NOT EXISTS (SELECT 1 FROM audit_arm_steps AS s
                                WHERE s.version = j.day_version AND s.arm = j.arm AND s.purpose = j.purpose
                                  AND s.step = j.step AND s.channel = j.channel)
               THEN 'step ' || j.step || ' by ' || j.channel || ' is not what arm ' || j.arm || ' proposes'
       END AS violation
FROM judged AS j;
