-- Contacts sent (or delivered) per local day and channel, plus suppressed per day: the demo's table.
SELECT planned_for_date AS day,
       count(*) FILTER (WHERE status IN ('sent', 'delivered') AND channel = 'sms') AS sms,
       count(*) FILTER (WHERE status IN ('sent', 'delivered') AND channel = 'email') AS email,
       count(*) FILTER (WHERE status IN ('sent', 'delivered') AND channel = 'call') AS call,
       count(*) FILTER (WHERE status IN ('sent', 'delivered') AND channel = 'letter') AS letter,
       count(*) FILTER (WHERE status IN ('sent', 'delivered') AND channel = 'visit') AS visit,
       count(*) FILTER (WHERE status = 'suppressed') AS suppressed,
       count(*) FILTER (WHERE status = 'failed') AS failed
FROM contact_attempts
GROUP BY planned_for_date
ORDER BY planned_for_date;
