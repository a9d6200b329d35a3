-- How many planned contacts the re-check is about to suppress, by reason (window_missed included).
SELECT reason, count(*) AS n
FROM (
    SELECT reason FROM gate_verdicts
    UNION ALL
    SELECT 'window_missed' FROM contact_attempts WHERE status = 'planned' AND send_before <= $now
)
GROUP BY reason ORDER BY reason;
