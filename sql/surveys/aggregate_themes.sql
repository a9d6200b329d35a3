-- Rebuilds feedback_theme_mentions (source, ref, week, theme: one row per text and theme it
-- mentions, no text) from the temp table _theme_hits the tagger fills (theme NULL: a text read
-- that mentions none), and feedback_themes_weekly: per week and source ('survey', 'sms_reply',
-- 'email_reply'), texts mentioning each theme, with texts_read (all texts of that week and
-- source, tagged or not); a week and source where no text mentions a theme has one row with
-- theme NULL and texts 0. Replaced whole on every run.
CREATE OR REPLACE TABLE feedback_theme_mentions AS
SELECT DISTINCT source, ref, week, theme FROM _theme_hits WHERE theme IS NOT NULL;
CREATE OR REPLACE TABLE feedback_themes_weekly AS
WITH read AS (SELECT week, source, count(DISTINCT ref) AS texts_read FROM _theme_hits GROUP BY ALL),
     mentioned AS (SELECT week, source, theme, count(*) AS texts FROM feedback_theme_mentions GROUP BY ALL)
SELECT r.week, r.source, m.theme, coalesce(m.texts, 0) AS texts, r.texts_read
FROM read AS r LEFT JOIN mentioned AS m USING (week, source)
ORDER BY r.week, r.source, m.theme;
