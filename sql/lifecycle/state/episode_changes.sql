-- episode_changes: how recording $as_of moves delinquency episodes, when $advance (the newest day;
-- an older day re-read moves nothing, see sql/lifecycle/days/): change 'open' for each overdue
-- loan with no episode open (episode_id, loan_id, opened_on = the day after its oldest unpaid
-- due date), change 'close' (closed_on = $as_of) for each open episode whose loan is no longer
-- overdue. Reads loan_state. Deciding reads it through day_episodes; recording applies it
-- (open_episodes.sql, close_episodes.sql).
CREATE OR REPLACE TEMP TABLE episode_changes AS
SELECT 'open' AS change, s.loan_id || ':' || strftime(s.oldest_unpaid_due + 1, '%Y-%m-%d') AS episode_id,
       s.loan_id, s.oldest_unpaid_due + 1 AS opened_on, NULL::DATE AS closed_on
FROM loan_state AS s
WHERE $advance AND s.dpd > 0
  AND NOT EXISTS (SELECT 1 FROM delinquency_episodes AS e
                  WHERE e.loan_id = s.loan_id
                    AND (e.closed_on IS NULL OR e.opened_on = s.oldest_unpaid_due + 1))
UNION ALL
SELECT 'close', e.episode_id, e.loan_id, e.opened_on, $as_of::DATE
FROM delinquency_episodes AS e
WHERE $advance AND e.closed_on IS NULL AND e.opened_on <= $as_of::DATE
  AND NOT EXISTS (SELECT 1 FROM loan_state AS s WHERE s.loan_id = e.loan_id AND s.dpd > 0);
