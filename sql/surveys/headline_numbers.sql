-- The headline numbers per scale (csat, nps) over every survey that went out: invitations,
-- answers, response_rate (0-1), nps (-100..100, NULL for csat), csat_mean (NULL for nps).
-- Reads feedback_slices (dimension 'all').
SELECT scale, invitations, answers, response_rate, nps, csat_mean
FROM feedback_slices
WHERE dimension = 'all'
ORDER BY scale;
