-- Contacts sent (or delivered) over the whole history by purpose, step and language.
SELECT purpose, step,
       count(*) FILTER (WHERE language = 'zh-CN') AS zh_cn,
       count(*) FILTER (WHERE language = 'en') AS en,
       count(*) FILTER (WHERE language IS NULL) AS no_text,
       count(*) AS total
FROM contact_attempts
WHERE status IN ('sent', 'delivered')
GROUP BY purpose, step
ORDER BY CASE purpose WHEN 'reminder' THEN 1 WHEN 'escalation' THEN 2 ELSE 3 END, min(priority), step;
