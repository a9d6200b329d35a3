-- The call queue of local day $as_of by team: calls, borrowers, currencies, highest severity,
-- and the earliest and latest calling window (UTC) so a team lead can staff the day.
SELECT team, count(*) AS calls, count(DISTINCT borrower_id) AS borrowers,
       string_agg(DISTINCT currency, ', ' ORDER BY currency) AS currencies, max(severity) AS top_severity,
       min(call_from) AS first_window_opens, max(call_until) AS last_window_closes
FROM call_queue
WHERE queue_date = $as_of::DATE
GROUP BY team
ORDER BY team;
