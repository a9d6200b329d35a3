-- Returns (channel, n): how many planned contacts are ready to go at $now, by channel — the same
-- selection as due_batch.sql, for progress totals and dry runs.
-- With $day (a local day; NULL for all), only the contacts planned for that day: a day's dispatch
-- on a simulated clock, so a replayed pass of an earlier day never sends a later day's contacts.
SELECT a.channel, count(*) AS n
FROM contact_attempts AS a
LEFT JOIN contact_messages AS m ON m.attempt_id = a.attempt_id
WHERE a.status = 'planned' AND ($day::DATE IS NULL OR a.planned_for_date = $day::DATE)
  AND a.send_after <= $now AND $now < a.send_before
  AND (a.channel NOT IN ('sms', 'email', 'letter') OR m.attempt_id IS NOT NULL)
GROUP BY a.channel
ORDER BY a.channel;
