-- The options of temp table arrangement_options (options.sql), in each subject's menu order (config
-- order); with $offerable_only only those that may be offered (eligibility auto or review).
SELECT * FROM arrangement_options
WHERE NOT $offerable_only OR eligibility <> 'no'
ORDER BY subject_key, ord;
