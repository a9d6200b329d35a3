-- stats_experience: rebuilds arrangement_stats_experience, complaints and survey satisfaction of
-- borrowers on a plan against borrowers in arrears who never got one. Observational (see stats_cure.sql).
-- Groups (grp), each counted from its own start day so both look at the time since their trouble:
--   on_plan          borrowers with an accepted plan (arrangements.status 'active'), from the local
--                    day of their first plan's decision
--   arrears_no_plan  borrowers with a delinquency episode and no accepted plan, from their first
--                    episode's opened_on
-- Columns: borrowers, complainants, complaints (borrower_events kind 'complaint' on or after the
-- start day), complaints_per_100 (per 100 borrowers), csat_sent / csat_answers / csat_mean (1-5) and
-- nps_sent / nps_answers / nps (% promoters - % detractors) over the surveys planned on or after the
-- start day that went out (contact sent) or were answered (survey_invitations, survey_answers).
-- Both groups always have a row (zeros, NULL means). Replaced whole on every run (nightly).
CREATE OR REPLACE TABLE arrangement_stats_experience AS
WITH on_plan AS (
    SELECT a.borrower_id, min(timezone(b.timezone, a.decided_at)::DATE) AS since
    FROM arrangements AS a JOIN borrowers AS b ON b.borrower_id = a.borrower_id
    WHERE a.status = 'active' AND a.decided_at IS NOT NULL
    GROUP BY a.borrower_id
),
no_plan AS (
    SELECT l.borrower_id, min(e.opened_on) AS since
    FROM delinquency_episodes AS e JOIN loans AS l USING (loan_id)
    WHERE NOT EXISTS (SELECT 1 FROM on_plan AS p WHERE p.borrower_id = l.borrower_id)
    GROUP BY l.borrower_id
),
members AS (
    SELECT 'on_plan' AS grp, borrower_id, since FROM on_plan
    UNION ALL
    SELECT 'arrears_no_plan', borrower_id, since FROM no_plan
),
complaints AS (
    SELECT m.grp, count(*) AS complaints, count(DISTINCT m.borrower_id) AS complainants
    FROM members AS m
    JOIN borrower_events AS e ON e.borrower_id = m.borrower_id AND e.kind = 'complaint'
    JOIN borrowers AS b ON b.borrower_id = m.borrower_id
    WHERE timezone(b.timezone, e.occurred_at)::DATE >= m.since
    GROUP BY m.grp
),
surveys AS (
    SELECT m.grp,
           count(*) FILTER (WHERE i.scale = 'csat') AS csat_sent,
           count(s.score) FILTER (WHERE i.scale = 'csat') AS csat_answers,
           avg(s.score) FILTER (WHERE i.scale = 'csat') AS csat_mean,
           count(*) FILTER (WHERE i.scale = 'nps') AS nps_sent,
           count(s.score) FILTER (WHERE i.scale = 'nps') AS nps_answers,
           count(*) FILTER (WHERE i.scale = 'nps' AND s.score >= 9) AS promoters,
           count(*) FILTER (WHERE i.scale = 'nps' AND s.score <= 6) AS detractors
    FROM members AS m
    JOIN survey_invitations AS i ON i.borrower_id = m.borrower_id AND i.planned_for_date >= m.since
    LEFT JOIN contact_attempts AS c ON c.attempt_id = i.attempt_id
    LEFT JOIN survey_answers AS s ON s.token = i.token
    WHERE c.sent_at IS NOT NULL OR c.status IN ('sent', 'delivered') OR s.token IS NOT NULL
    GROUP BY m.grp
),
sizes AS (SELECT grp, count(*) AS borrowers FROM members GROUP BY grp),
grps(grp, ord) AS (VALUES ('on_plan', 1), ('arrears_no_plan', 2))
SELECT g.grp,
       coalesce(z.borrowers, 0) AS borrowers,
       coalesce(c.complainants, 0) AS complainants,
       coalesce(c.complaints, 0) AS complaints,
       CASE WHEN z.borrowers > 0 THEN round(100.0 * coalesce(c.complaints, 0) / z.borrowers, 2) END AS complaints_per_100,
       coalesce(s.csat_sent, 0) AS csat_sent,
       coalesce(s.csat_answers, 0) AS csat_answers,
       round(s.csat_mean, 4) AS csat_mean,
       coalesce(s.nps_sent, 0) AS nps_sent,
       coalesce(s.nps_answers, 0) AS nps_answers,
       CASE WHEN s.nps_answers > 0 THEN round(100.0 * (s.promoters - s.detractors) / s.nps_answers, 2) END AS nps
FROM grps AS g
LEFT JOIN sizes AS z USING (grp)
LEFT JOIN complaints AS c USING (grp)
LEFT JOIN surveys AS s USING (grp)
ORDER BY g.ord;
