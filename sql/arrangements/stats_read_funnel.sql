-- stats_read_funnel: the offer funnel of one slice ($dimension: 'all', 'step', 'channel', 'language',
-- 'product') for the report and the summary: value, offers, taken, pending_review, declined, open,
-- unanswered, take_rate. Largest first, at most 20. Reads arrangement_stats_offer_funnel.
SELECT value, offers, taken, pending_review, declined, open, unanswered, take_rate
FROM arrangement_stats_offer_funnel
WHERE dimension = $dimension
ORDER BY offers DESC, value
LIMIT 20;
