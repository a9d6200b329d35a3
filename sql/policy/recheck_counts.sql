-- How many planned contacts the re-check is about to suppress, by reason (window_missed included).
-- With $day (a local day; NULL for all), only the contacts planned for that day: a day's dispatch
-- on a simulated clock, so a replayed pass of an earlier day never sends a later day's contacts.
SELECT reason, count(*) AS n
FROM (
    SELECT reason FROM gate_verdicts
    UNION ALL
    SELECT 'window_missed' FROM contact_attempts
    WHERE status = 'planned' AND send_before <= $now AND ($day::DATE IS NULL OR planned_for_date = $day::DATE)
)
GROUP BY reason ORDER BY reason;
