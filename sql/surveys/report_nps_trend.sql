-- The NPS trend for the report: per week (Monday) and programme ('all' for every NPS programme
-- together), nps (-100..100, NULL for a week without an answer), answers, response_rate.
SELECT week, programme, nps, answers, response_rate
FROM feedback_weekly
WHERE scale = 'nps'
ORDER BY programme = 'all' DESC, programme, week;
