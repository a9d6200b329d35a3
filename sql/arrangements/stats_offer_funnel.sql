-- stats_offer_funnel: rebuilds arrangement_stats_offer_funnel, the offer funnel for every value of
-- every slice: dimension in ('all', 'step', 'channel', 'language', 'product'), value its value
-- ('all' for the whole). Columns: offers (went out), taken, pending_review, declined, open,
-- unanswered (see stats_offers.sql), take_rate (taken / offers, 0-1), answer_rate (any choice made
-- / offers). Reads arrangement_stats_offers (stats_offers.sql first). Replaced whole on every run.
CREATE OR REPLACE TABLE arrangement_stats_offer_funnel AS
WITH long AS (
    UNPIVOT (SELECT outcome, 'all' AS "all", step, channel, language, product FROM arrangement_stats_offers)
    ON "all", step, channel, language, product
    INTO NAME dimension VALUE value
)
SELECT dimension, value,
       count(*) AS offers,
       count(*) FILTER (WHERE outcome = 'taken') AS taken,
       count(*) FILTER (WHERE outcome = 'pending_review') AS pending_review,
       count(*) FILTER (WHERE outcome = 'declined') AS declined,
       count(*) FILTER (WHERE outcome = 'open') AS open,
       count(*) FILTER (WHERE outcome = 'unanswered') AS unanswered,
       round(count(*) FILTER (WHERE outcome = 'taken') / count(*), 4) AS take_rate,
       round(count(*) FILTER (WHERE outcome IN ('taken', 'pending_review', 'declined')) / count(*), 4) AS answer_rate
FROM long
GROUP BY dimension, value
ORDER BY dimension, value;
