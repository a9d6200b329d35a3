-- The day's suppressed contacts by reason, with how many distinct borrowers each reason touched
-- (for cap_* reasons: the cap pressure, i.e. how many borrowers hit that cap).
SELECT suppressed_reason AS reason, count(*) AS contacts, count(DISTINCT borrower_id) AS borrowers
FROM contact_attempts
WHERE planned_for_date = $as_of::DATE AND status = 'suppressed'
GROUP BY suppressed_reason
ORDER BY contacts DESC, reason;
