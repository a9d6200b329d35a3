-- How many comments and replies the last theme tagging read (with or without a theme).
SELECT coalesce(sum(texts_read), 0) AS texts_read
FROM (SELECT DISTINCT week, source, texts_read FROM feedback_themes_weekly);
