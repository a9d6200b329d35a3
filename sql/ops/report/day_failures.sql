-- The day's failed contacts by error (first 120 characters), most frequent first, and the
-- contacts lost to delivery failures (window closed unsent after a send error) by their last error.
SELECT left(coalesce(error, 'unknown'), 120) AS error, channel, count(*) AS contacts
FROM contact_attempts
WHERE planned_for_date = $as_of::DATE
  AND (status = 'failed'
       OR (status = 'suppressed' AND suppressed_reason = 'window_missed' AND (send_tries > 0 OR error IS NOT NULL)))
GROUP BY ALL
ORDER BY contacts DESC
LIMIT 20;
