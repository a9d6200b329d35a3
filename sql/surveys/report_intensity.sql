-- Satisfaction against contact intensity (contacts in the 30 days before the survey) for the
-- report: per bucket in order ('0-2', '3-5', '6-10', '11+'), the NPS and the CSAT mean, answers of
-- each, and the response rate over both scales.
SELECT b.bucket AS intensity,
       max(s.nps) FILTER (WHERE s.scale = 'nps') AS nps,
       coalesce(max(s.answers) FILTER (WHERE s.scale = 'nps'), 0) AS nps_answers,
       max(s.csat_mean) FILTER (WHERE s.scale = 'csat') AS csat_mean,
       coalesce(max(s.answers) FILTER (WHERE s.scale = 'csat'), 0) AS csat_answers,
       sum(s.answers) / nullif(sum(s.invitations), 0) AS response_rate
FROM (VALUES (1, '0-2'), (2, '3-5'), (3, '6-10'), (4, '11+')) AS b(ord, bucket)
LEFT JOIN feedback_slices AS s ON s.dimension = 'intensity' AND s.value = b.bucket
GROUP BY b.ord, b.bucket
ORDER BY b.ord;
