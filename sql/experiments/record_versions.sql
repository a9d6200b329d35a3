-- Records each definition of the experiments running on $as_of as the plan used them (temp table
-- day_experiment_versions: experiment, version, definition, from loan_comms/experiments/arms.py) in
-- experiment_versions, once (an anti-join: re-running the day adds nothing). Returns nothing.
INSERT INTO experiment_versions (version, experiment, definition, first_day)
SELECT v.version, v.experiment, v.definition, $as_of::DATE
FROM day_experiment_versions AS v
WHERE NOT EXISTS (SELECT 1 FROM experiment_versions AS e WHERE e.version = v.version);
