-- stop_arm: records that a guardrail stopped arm $arm of experiment $experiment from $stopped_on on
-- (the next plan day), with the reason and the numbers that fired it ($detail, JSON text). Written
-- once: a stop already recorded for the arm is kept as it is (re-running the check adds nothing).
-- Returns nothing; close_arm_assignments.sql then moves the arm's borrowers to the champion.
INSERT INTO experiment_arms (experiment, arm, stopped_on, reason, detail, stopped_at)
SELECT $experiment, $arm, $stopped_on::DATE, $reason, $detail::JSON, $stopped_at::TIMESTAMPTZ
WHERE NOT EXISTS (SELECT 1 FROM experiment_arms WHERE experiment = $experiment AND arm = $arm);
