-- experiment_arm_honoured: Was every contact of an experiment's borrower planned under the arm the
-- borrower was drawn into, and only while that arm ran? Re-derived here from the experiments file
-- (audit_experiments, audit_experiment_arms, audit_arm_skips: registered by the audit runner, not
-- the planner's tables) and the book's experiment_assignments and experiment_arms:
--   * the recorded arm is the one the draw gives: md5(salt || ':' || borrower_id)'s first 8 bytes
--     (little-endian) / 2^64 against the arms' cumulative shares in the file's order (a tampered or
--     re-drawn assignment shows here);
--   * a contact names an experiment only if its borrower was assigned to it on or before the day, and
--     only inside the experiment's dates;
--   * while the borrower is in their arm (not left, arm not stopped), every contact names that arm;
--     after they left or the arm stopped, none names a challenger (they went back to the champion);
--   * a challenger's contact never takes a ladder step its arm skips.
-- The contact policy itself is not judged here: every other rule judges every contact, of every arm,
-- against the same policy; no arm has a policy of its own (config/experiments.toml).
-- Checked: every contact_attempts row, suppressed ones included (outside any experiment, a contact must
-- name none).
-- Violation: the first problem above that applies.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH assigned AS (
    SELECT a.*, e.salt, e.start_day, e.end_day,
           md5_number_upper(e.salt || ':' || a.borrower_id)::DOUBLE / 18446744073709551616.0 AS redraw,
           s.stopped_on
    FROM experiment_assignments AS a
    JOIN audit_experiments AS e USING (experiment)
    LEFT JOIN experiment_arms AS s ON s.experiment = a.experiment AND s.arm = a.arm
),
drawn AS (
    SELECT a.experiment, a.borrower_id, r.arm AS drawn_arm
    FROM assigned AS a
    LEFT JOIN audit_experiment_arms AS r
      ON r.experiment = a.experiment AND a.redraw >= r.lo AND a.redraw < r.hi
),
checked AS (
    SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.purpose, c.step, c.status,
           c.planned_for_date, c.experiment, c.arm,
           a.experiment AS assigned_experiment, a.arm AS assigned_arm, a.assigned_on, a.left_on,
           a.stopped_on, a.start_day, a.end_day, d.drawn_arm
    FROM contact_attempts AS c
    LEFT JOIN assigned AS a
      ON a.borrower_id = c.borrower_id AND a.assigned_on <= c.planned_for_date
     AND c.planned_for_date BETWEEN a.start_day AND a.end_day
    LEFT JOIN drawn AS d ON d.experiment = a.experiment AND d.borrower_id = a.borrower_id
),
judged AS (
    SELECT k.*,
           (k.left_on IS NOT NULL AND k.left_on <= k.planned_for_date)
           OR (k.stopped_on IS NOT NULL AND k.stopped_on <= k.planned_for_date) AS out_of_arm
    FROM checked AS k
)
SELECT j.attempt_id, j.borrower_id, j.loan_id, j.channel, j.purpose, j.step, j.status, j.planned_for_date,
       j.experiment, j.arm, j.assigned_experiment, j.assigned_arm, j.drawn_arm, j.assigned_on, j.left_on,
       j.stopped_on,
       CASE
           WHEN j.experiment IS NULL AND j.assigned_experiment IS NULL THEN NULL   -- outside any experiment
           WHEN j.experiment IS NOT NULL AND j.assigned_experiment IS NULL
               THEN 'names experiment ' || j.experiment || ' on ' || j.planned_for_date
                    || ', but the borrower was not assigned to it then, or it was not running'
           WHEN j.experiment IS NOT NULL AND j.experiment <> j.assigned_experiment
               THEN 'names experiment ' || j.experiment || ' but the borrower is in ' || j.assigned_experiment
           WHEN j.drawn_arm IS DISTINCT FROM j.assigned_arm
               THEN 'assigned to arm ' || j.assigned_arm || ' of ' || j.assigned_experiment || ', but the draw gives '
                    || coalesce(j.drawn_arm, 'no arm of the file')
           WHEN j.experiment IS NULL
               THEN 'the borrower is in experiment ' || j.assigned_experiment || ' but the contact names none'
           WHEN NOT j.out_of_arm AND j.arm <> j.assigned_arm
               THEN 'planned under arm ' || j.arm || ', but the borrower is in arm ' || j.assigned_arm
           WHEN j.out_of_arm AND j.arm <> 'champion'
               THEN 'planned under arm ' || j.arm || ' after the borrower left it ('
                    || coalesce(least(j.left_on, j.stopped_on), j.left_on, j.stopped_on) || ')'
           WHEN j.arm <> 'champion' AND j.purpose = 'escalation'
                AND EXISTS (SELECT 1 FROM audit_arm_skips AS s
                            WHERE s.experiment = j.experiment AND s.arm = j.arm AND s.step = j.step)
               THEN 'step ' || j.step || ' is skipped by arm ' || j.arm
       END AS violation
FROM judged AS j;
