-- stopped_arms: the arms of experiment $experiment a guardrail stopped (experiment_arms): arm,
-- stopped_on, reason, detail (JSON text: rates, interval, counts). For the readout and the check,
-- which skips an arm already stopped.
SELECT arm, stopped_on, reason, detail::VARCHAR AS detail
FROM experiment_arms
WHERE experiment = $experiment
ORDER BY arm;
