-- Suppressed contacts over the whole history by reason.
SELECT suppressed_reason AS reason, count(*) AS contacts, count(DISTINCT borrower_id) AS borrowers
FROM contact_attempts
WHERE status = 'suppressed'
GROUP BY suppressed_reason
ORDER BY contacts DESC;
