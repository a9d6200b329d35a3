-- Rebuilds feedback_weekly: the weekly trend per scale, per programme and for all programmes
-- together (programme = 'all'): week (Monday of the surveys' planning day), invitations, answers,
-- response_rate (0-1), promoters, passives, detractors, nps (-100..100, NULL for csat or no
-- answer), csat_mean (NULL for nps or no answer). Reads feedback_responses. Replaced whole on every run.
CREATE OR REPLACE TABLE feedback_weekly AS
SELECT week, scale, coalesce(programme, 'all') AS programme,
       count(*) AS invitations,
       count(*) FILTER (WHERE answered) AS answers,
       round(count(*) FILTER (WHERE answered) / count(*), 4) AS response_rate,
       count(*) FILTER (WHERE nps_class = 'promoter') AS promoters,
       count(*) FILTER (WHERE nps_class = 'passive') AS passives,
       count(*) FILTER (WHERE nps_class = 'detractor') AS detractors,
       CASE WHEN scale = 'nps' AND count(*) FILTER (WHERE answered) > 0 THEN
            round(100.0 * (count(*) FILTER (WHERE nps_class = 'promoter')
                           - count(*) FILTER (WHERE nps_class = 'detractor'))
                  / count(*) FILTER (WHERE answered), 2) END AS nps,
       CASE WHEN scale = 'csat' THEN round(avg(score), 4) END AS csat_mean
FROM feedback_responses
GROUP BY GROUPING SETS ((week, scale, programme), (week, scale))
ORDER BY week, scale, programme;
