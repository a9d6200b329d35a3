-- day_messages_by_template: how many messages of the day $as_of were rendered with each template
-- (template_id, n), for the raw render of the same messages. Bench only (bench/daily_run.py).
SELECT a.template_id, count(*) AS n
FROM contact_attempts AS a JOIN contact_messages AS m USING (attempt_id)
WHERE a.planned_for_date = $as_of::DATE AND a.template_id IS NOT NULL
GROUP BY a.template_id
ORDER BY a.template_id;
