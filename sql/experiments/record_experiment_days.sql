-- Records which version of each experiment running on $as_of the day's plan used (day_experiment_versions)
-- in experiment_days, once per (day, experiment): the first version recorded for a day stays, and
-- re-running the day adds nothing. The audit judges the day by it (experiment_arm_honoured).
-- Returns nothing.
INSERT INTO experiment_days (day, experiment, version)
SELECT $as_of::DATE, v.experiment, v.version
FROM day_experiment_versions AS v
WHERE NOT EXISTS (SELECT 1 FROM experiment_days AS d WHERE d.day = $as_of::DATE AND d.experiment = v.experiment);
