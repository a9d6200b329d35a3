-- The day's contacts ($as_of, borrowers' local day) by purpose, step, channel and language,
-- with how many are planned (not yet sent), sent, delivered, failed and suppressed; of the sent,
-- how many have an unknown outcome (the provider's answer was lost: never re-sent); of the
-- suppressed, how many were lost to delivery failures (tried, or held back by a halted provider,
-- and their window closed unsent: window_missed with a send error).
SELECT purpose, step, channel, coalesce(language, '-') AS language,
       count(*) FILTER (WHERE status = 'planned') AS planned,
       count(*) FILTER (WHERE status = 'sent') AS sent,
       count(*) FILTER (WHERE status = 'delivered') AS delivered,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'suppressed') AS suppressed,
       count(*) FILTER (WHERE status = 'sent' AND outcome_unknown) AS outcome_unknown,
       count(*) FILTER (WHERE status = 'suppressed' AND suppressed_reason = 'window_missed'
                        AND (send_tries > 0 OR error IS NOT NULL)) AS lost,
       count(*) AS total
FROM contact_attempts
WHERE planned_for_date = $as_of::DATE
GROUP BY purpose, step, channel, coalesce(language, '-')
ORDER BY CASE purpose WHEN 'reminder' THEN 1 WHEN 'escalation' THEN 2 WHEN 'follow_up' THEN 3 ELSE 4 END,
         step, channel, language;
