-- close_arm_assignments: the borrowers still in arm $arm of experiment $experiment leave it on the
-- day the arm stops (experiment_arms.stopped_on, stop_arm.sql first): left_on = that day, reason
-- 'guardrail'; from then the plan treats them as the champion (sql/experiments/day_arms.sql). Rows
-- already closed are left alone, so a re-run changes nothing. Returns nothing.
UPDATE experiment_assignments AS a
SET left_on = s.stopped_on, reason = 'guardrail'
FROM experiment_arms AS s
WHERE s.experiment = $experiment AND s.arm = $arm
  AND a.experiment = s.experiment AND a.arm = s.arm AND a.left_on IS NULL;
