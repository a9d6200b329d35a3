-- day_arms: the arm of every borrower in a running experiment on $as_of (config/experiments.toml,
-- registered as cfg_experiments, cfg_experiment_arms, cfg_arm_stops), the new ones included. One row
-- per borrower: experiment, arm (as drawn), draw, assigned_on, is_new (not yet recorded: `record`
-- writes it, sql/experiments/record_assignments.sql), and arm_key: the rows of cfg_arm_steps /
-- cfg_arm_templates the borrower is planned with today, 'champion' for the champion, for a borrower
-- who left the arm (left_on <= $as_of) and for an arm stopped by its guardrail; else
-- '<experiment>/<arm>'. Returns nothing.
--   Who enters: a borrower not held by another running experiment (one person, one treatment), with a
--   loan of the population's products whose days past due on $as_of (loan_state) are in its band,
--   whose jurisdiction and language are listed (empty lists: any); the first such experiment in the
--   file's order takes them.
--   The draw: md5(salt || ':' || borrower_id)'s first 8 bytes as an unsigned integer / 2^64, read
--   against the arms' cumulative shares [lo, hi): random over borrowers, the same every time for the
--   same salt, and stable for the experiment's life since the recorded row is never redrawn.
--   A borrower drawn into an arm already stopped is recorded in it and leaves it the same day
--   (reason 'arm_stopped'): the arm takes no one new, and the draw stays what the hash says.
--   One row per borrower: should a borrower hold assignments in two running experiments (one ended,
--   they were drawn into another, then the first was extended), the latest assignment wins.
--   An arm the file no longer has (renamed, removed) plans its borrowers as the champion, never as
--   nothing: arm_key 'champion'.
-- Re-running a day reads the same rows: assignments of later days are not seen (assigned_on <= $as_of).
CREATE OR REPLACE TEMP TABLE day_arms AS
WITH running AS (
    SELECT * FROM cfg_experiments WHERE $as_of::DATE BETWEEN start_day AND end_day
),
recorded AS (
    SELECT a.experiment, a.borrower_id, a.arm, a.draw, a.assigned_on, a.left_on, false AS is_new
    FROM experiment_assignments AS a JOIN running AS r USING (experiment)
    WHERE a.assigned_on <= $as_of::DATE
),
held AS (   -- borrowers in any experiment that has not ended (a finished one frees them)
    SELECT a.borrower_id
    FROM experiment_assignments AS a JOIN cfg_experiments AS e USING (experiment)
    WHERE a.assigned_on <= $as_of::DATE AND e.end_day >= $as_of::DATE
),
eligible AS (
    SELECT r.experiment, r.pos, r.salt, s.borrower_id
    FROM running AS r
    JOIN loan_state AS s ON s.dpd BETWEEN r.dpd_min AND r.dpd_max
    JOIN loans AS l ON l.loan_id = s.loan_id
    JOIN borrowers AS b ON b.borrower_id = s.borrower_id
    WHERE (len(r.products) = 0 OR list_contains(r.products, l.product))
      AND (len(r.jurisdictions) = 0 OR list_contains(r.jurisdictions, b.jurisdiction))
      AND (len(r.languages) = 0 OR list_contains(r.languages, b.language))
      AND NOT EXISTS (SELECT 1 FROM held AS h WHERE h.borrower_id = s.borrower_id)
),
first_experiment AS (
    SELECT borrower_id, arg_min(experiment, pos) AS experiment, arg_min(salt, pos) AS salt
    FROM eligible GROUP BY borrower_id
),
drawn AS (
    SELECT f.experiment, f.borrower_id,
           md5_number_upper(f.salt || ':' || f.borrower_id)::DOUBLE / 18446744073709551616.0 AS draw
    FROM first_experiment AS f
),
fresh AS (
    SELECT d.experiment, d.borrower_id, a.arm, d.draw, $as_of::DATE AS assigned_on,
           CASE WHEN st.stopped_on <= $as_of::DATE THEN $as_of::DATE END AS left_on, true AS is_new
    FROM drawn AS d
    JOIN cfg_experiment_arms AS a ON a.experiment = d.experiment AND d.draw >= a.lo AND d.draw < a.hi
    LEFT JOIN cfg_arm_stops AS st ON st.experiment = d.experiment AND st.arm = a.arm
),
everyone AS (
    SELECT * FROM recorded UNION ALL SELECT * FROM fresh
)
SELECT e.experiment, e.borrower_id, e.arm, e.draw, e.assigned_on, e.is_new,
       CASE WHEN e.left_on IS NOT NULL AND e.left_on <= $as_of::DATE THEN 'champion'
            WHEN st.stopped_on IS NOT NULL AND st.stopped_on <= $as_of::DATE THEN 'champion'
            WHEN e.arm = 'champion' THEN 'champion'
            WHEN NOT EXISTS (SELECT 1 FROM cfg_experiment_arms AS a WHERE a.experiment = e.experiment AND a.arm = e.arm)
                THEN 'champion'
            ELSE e.experiment || '/' || e.arm END AS arm_key,
       e.left_on
FROM everyone AS e
LEFT JOIN cfg_arm_stops AS st ON st.experiment = e.experiment AND st.arm = e.arm
QUALIFY row_number() OVER (PARTITION BY e.borrower_id ORDER BY e.assigned_on DESC, e.experiment) = 1;
