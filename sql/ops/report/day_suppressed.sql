-- The day's suppressed contacts by reason, with how many distinct borrowers each reason touched
-- (for cap_* reasons: the cap pressure, i.e. how many borrowers hit that cap). A window_missed
-- contact that had been tried (send_tries > 0) or carries a send error is reported under
-- 'lost to delivery failures', apart from the ordinary window_missed.
SELECT CASE WHEN suppressed_reason = 'window_missed' AND (send_tries > 0 OR error IS NOT NULL)
            THEN 'lost to delivery failures' ELSE suppressed_reason END AS reason,
       count(*) AS contacts, count(DISTINCT borrower_id) AS borrowers
FROM contact_attempts
WHERE planned_for_date = $as_of::DATE AND status = 'suppressed'
GROUP BY ALL
ORDER BY contacts DESC, reason;
