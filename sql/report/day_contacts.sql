-- The day's contacts ($as_of, borrowers' local day) by purpose, step, channel and language,
-- with how many are planned (not yet sent), sent, delivered, failed and suppressed.
SELECT purpose, step, channel, coalesce(language, '-') AS language,
       count(*) FILTER (WHERE status = 'planned') AS planned,
       count(*) FILTER (WHERE status = 'sent') AS sent,
       count(*) FILTER (WHERE status = 'delivered') AS delivered,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'suppressed') AS suppressed,
       count(*) AS total
FROM contact_attempts
WHERE planned_for_date = $as_of::DATE
GROUP BY purpose, step, channel, coalesce(language, '-')
ORDER BY CASE purpose WHEN 'reminder' THEN 1 WHEN 'escalation' THEN 2 WHEN 'follow_up' THEN 3 ELSE 4 END,
         step, channel, language;
