-- CSAT by one slice ($dimension: 'last_step', 'team', 'intensity', ...) for the report: value,
-- csat_mean (1-5, NULL with no answer), answers, response_rate; largest slices first, at most 20.
SELECT value, csat_mean, answers, response_rate
FROM feedback_slices
WHERE scale = 'csat' AND dimension = $dimension
ORDER BY answers DESC, value
LIMIT 20;
