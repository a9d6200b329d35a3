-- experiment_members (temp table): the borrowers whose outcomes count for experiment $experiment on
-- $as_of, each under the arm they were DRAWN into (intention to treat: a borrower whose arm a
-- guardrail later stopped stays counted in it, or stopping an arm would hide what it did). Only
-- assignments up to $as_of. Left out: borrowers drawn into an arm that was already stopped (left_on =
-- assigned_on, reason 'arm_stopped'), whom the arm never treated. Columns: borrower_id, arm,
-- assigned_on, left_on, timezone (the borrower's, for local days). Returns nothing.
CREATE OR REPLACE TEMP TABLE experiment_members AS
SELECT a.borrower_id, a.arm, a.assigned_on, a.left_on, b.timezone
FROM experiment_assignments AS a
JOIN borrowers AS b ON b.borrower_id = a.borrower_id
WHERE a.experiment = $experiment
  AND a.assigned_on <= $as_of::DATE
  AND (a.left_on IS NULL OR a.left_on > a.assigned_on);
