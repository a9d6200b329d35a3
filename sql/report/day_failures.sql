-- The day's failed contacts by error (first 120 characters), most frequent first.
SELECT left(coalesce(error, 'unknown'), 120) AS error, channel, count(*) AS contacts
FROM contact_attempts
WHERE planned_for_date = $as_of::DATE AND status = 'failed'
GROUP BY ALL
ORDER BY contacts DESC
LIMIT 20;
