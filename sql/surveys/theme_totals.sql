-- Texts (comments and replies) mentioning each complaint theme over the whole history, most first.
SELECT theme, count(*) AS texts
FROM feedback_theme_mentions
GROUP BY theme
ORDER BY texts DESC, theme;
