-- Complaint themes over time for the report: per week and theme, texts mentioning it (survey
-- comments and SMS / e-mail replies together) and the texts read that week.
WITH read AS (SELECT week, sum(texts_read) AS texts_read
              FROM (SELECT DISTINCT week, source, texts_read FROM feedback_themes_weekly) GROUP BY week)
SELECT w.week, w.theme, sum(w.texts) AS texts, any_value(r.texts_read) AS texts_read
FROM feedback_themes_weekly AS w JOIN read AS r USING (week)
WHERE w.theme IS NOT NULL
GROUP BY w.week, w.theme
ORDER BY w.week, w.theme;
