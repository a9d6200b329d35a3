-- Rebuilds feedback_slices: NPS, CSAT and response rate per scale, for every value of every slice:
-- dimension in ('all', 'programme', 'product', 'language', 'channel', 'last_step', 'dpd_bucket',
-- 'team', 'intensity'), value its value ('all' for the whole). Columns:
--   invitations (went out), answers, response_rate (answers / invitations, 0-1),
--   promoters, passives, detractors, nps (% promoters - % detractors of the answers, -100..100;
--   NULL when no answer or the scale is csat), csat_mean (1-5; NULL for nps or no answer),
--   csat_1 .. csat_5 (the distribution: answers of each score), score_mean (either scale).
-- Reads feedback_responses (aggregate_responses.sql first). Replaced whole on every run.
CREATE OR REPLACE TABLE feedback_slices AS
WITH long AS (
    UNPIVOT (SELECT *, 'all' AS "all" FROM feedback_responses)
    ON "all", programme, product, language, channel, last_step, dpd_bucket, team, intensity
    INTO NAME dimension VALUE value
)
SELECT scale, dimension, value,
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
       CASE WHEN scale = 'csat' THEN round(avg(score), 4) END AS csat_mean,
       count(*) FILTER (WHERE scale = 'csat' AND score = 1) AS csat_1,
       count(*) FILTER (WHERE scale = 'csat' AND score = 2) AS csat_2,
       count(*) FILTER (WHERE scale = 'csat' AND score = 3) AS csat_3,
       count(*) FILTER (WHERE scale = 'csat' AND score = 4) AS csat_4,
       count(*) FILTER (WHERE scale = 'csat' AND score = 5) AS csat_5,
       round(avg(score), 4) AS score_mean
FROM long
GROUP BY scale, dimension, value
ORDER BY scale, dimension, value;
