-- Records the borrowers decide drew into an experiment today (day_arms.is_new) in
-- experiment_assignments, once: an anti-join, so re-running the day adds nothing and a borrower's
-- row, hence their arm, never changes. A borrower drawn into an arm already stopped is written
-- already left (left_on = $as_of, reason 'arm_stopped'). Returns nothing.
INSERT INTO experiment_assignments (experiment, borrower_id, arm, draw, assigned_on, left_on, reason)
SELECT d.experiment, d.borrower_id, d.arm, d.draw, d.assigned_on, d.left_on,
       CASE WHEN d.left_on IS NOT NULL THEN 'arm_stopped' END
FROM day_arms AS d
WHERE d.is_new
  AND NOT EXISTS (SELECT 1 FROM experiment_assignments AS a
                  WHERE a.experiment = d.experiment AND a.borrower_id = d.borrower_id);
