-- Rebuilds feedback_responses: one row per survey invitation that went out (its contact was sent
-- or delivered, or it was answered anyway), with its answer's score if any (never the comment),
-- the slices it is reported under and its NPS class. The base of every other aggregate_*.sql.
-- Replaced whole on every run (nightly): re-running over the same data gives the same table.
--   week               Monday of the survey's local planning day (the cohort the trends follow)
--   intensity          contacts_30d bucketed: '0-2', '3-5', '6-10', '11+'
--   nps_class          promoter (9-10), passive (7-8), detractor (0-6); NULL for csat or unanswered
CREATE OR REPLACE TABLE feedback_responses AS
SELECT i.token, i.programme, i.scale,
       coalesce(i.product, '(none)') AS product,
       i.language, i.channel,
       coalesce(i.last_step, '(none)') AS last_step,
       coalesce(i.dpd_bucket, '(none)') AS dpd_bucket,
       coalesce(i.team, '(none)') AS team,
       i.contacts_30d,
       CASE WHEN i.contacts_30d <= 2 THEN '0-2' WHEN i.contacts_30d <= 5 THEN '3-5'
            WHEN i.contacts_30d <= 10 THEN '6-10' ELSE '11+' END AS intensity,
       i.planned_for_date,
       date_trunc('week', i.planned_for_date)::DATE AS week,
       a.token IS NOT NULL AS answered,
       a.score,
       a.answered_at,
       CASE WHEN i.scale <> 'nps' OR a.score IS NULL THEN NULL
            WHEN a.score >= 9 THEN 'promoter' WHEN a.score >= 7 THEN 'passive' ELSE 'detractor' END AS nps_class
FROM survey_invitations AS i
LEFT JOIN contact_attempts AS c ON c.attempt_id = i.attempt_id
LEFT JOIN survey_answers AS a ON a.token = i.token
WHERE c.status IN ('sent', 'delivered') OR a.token IS NOT NULL;
