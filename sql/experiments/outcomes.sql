-- outcomes: what each arm of experiment $experiment did by $as_of, one row per arm that has members,
-- by the arm each borrower was DRAWN into (intention to treat). Reads the temp tables members.sql,
-- member_events.sql and units.sql build (run them first, same parameters). Counts and sums only.
--   borrowers            members of the arm (borrowers drawn into an already-stopped arm left out)
--   delinquent_loans     their loans in arrears while in the experiment (units.sql)
--   complete_windows     of those, loans whose $cure_within_days window has ended by $as_of
--   cured                of the complete ones, back to current within the window: the cure rate is
--                        cured / complete_windows; open_windows = delinquent_loans - complete_windows
--   cured_so_far         every unit cured by $as_of, complete window or not (contacts per cure)
--   (amounts recovered are per currency: recovered.sql)
--   contacts             contact_attempts of the arm's borrowers made under this experiment
--                        (experiment = $experiment), not suppressed, planned by $as_of
--   *_borrowers, *_events  opt-out, complaint and dispute events since assignment (member_events.sql)
--   nps_answers, nps_promoters, nps_detractors, nps, csat_answers, csat_mean   survey answers given
--                        from the assignment day to $as_of (NPS = % promoters 9-10 - % detractors 0-6)
--   plans_taken          repayment plans accepted (arrangements.status 'active', as stats_plans.sql)
--                        from the assignment day to $as_of; plans_kept: of those, the ones whose first
--                        ending event (arrangement_kept / arrangement_broken) by $as_of is kept
WITH arms AS (
    SELECT arm, count(*) AS borrowers FROM experiment_members GROUP BY arm
),
cure AS (
    SELECT arm, count(*) AS delinquent_loans,
           count(*) FILTER (WHERE complete) AS complete_windows,
           count(*) FILTER (WHERE complete AND cured) AS cured,
           count(*) FILTER (WHERE cured) AS cured_so_far
    FROM experiment_units GROUP BY arm
),
contacts AS (
    SELECT m.arm, count(*) AS contacts
    FROM experiment_members AS m
    JOIN contact_attempts AS c ON c.borrower_id = m.borrower_id
    WHERE c.experiment = $experiment AND c.status <> 'suppressed' AND c.planned_for_date <= $as_of::DATE
    GROUP BY m.arm
),
events AS (
    SELECT arm,
           count(*) FILTER (WHERE opt_outs > 0) AS opt_out_borrowers, sum(opt_outs) AS opt_out_events,
           count(*) FILTER (WHERE complaints > 0) AS complaint_borrowers, sum(complaints) AS complaint_events,
           count(*) FILTER (WHERE disputes > 0) AS dispute_borrowers, sum(disputes) AS dispute_events
    FROM experiment_member_events GROUP BY arm
),
answers AS (
    SELECT m.arm, i.scale, s.score
    FROM experiment_members AS m
    JOIN survey_invitations AS i ON i.borrower_id = m.borrower_id
    JOIN survey_answers AS s ON s.token = i.token
    WHERE timezone(m.timezone, s.answered_at)::DATE BETWEEN m.assigned_on AND $as_of::DATE
),
surveys AS (
    SELECT arm,
           count(*) FILTER (WHERE scale = 'nps') AS nps_answers,
           count(*) FILTER (WHERE scale = 'nps' AND score >= 9) AS nps_promoters,
           count(*) FILTER (WHERE scale = 'nps' AND score <= 6) AS nps_detractors,
           count(*) FILTER (WHERE scale = 'csat') AS csat_answers,
           avg(score) FILTER (WHERE scale = 'csat') AS csat_mean
    FROM answers GROUP BY arm
),
ended AS (
    SELECT json_extract_string(e.detail, '$.arrangement_id') AS arrangement_id,
           arg_min(e.kind, e.occurred_at) AS ending
    FROM borrower_events AS e JOIN borrowers AS b ON b.borrower_id = e.borrower_id
    WHERE e.kind IN ('arrangement_broken', 'arrangement_kept')
      AND timezone(b.timezone, e.occurred_at)::DATE <= $as_of::DATE
    GROUP BY 1
),
plans AS (
    SELECT m.arm, count(*) AS plans_taken,
           count(*) FILTER (WHERE d.ending = 'arrangement_kept') AS plans_kept
    FROM experiment_members AS m
    JOIN arrangements AS a ON a.borrower_id = m.borrower_id
    LEFT JOIN ended AS d ON d.arrangement_id = a.arrangement_id
    WHERE a.status = 'active' AND a.decided_at IS NOT NULL
      AND timezone(m.timezone, a.decided_at)::DATE BETWEEN m.assigned_on AND $as_of::DATE
    GROUP BY m.arm
)
SELECT a.arm, a.borrowers,
       coalesce(c.delinquent_loans, 0) AS delinquent_loans,
       coalesce(c.complete_windows, 0) AS complete_windows,
       coalesce(c.delinquent_loans, 0) - coalesce(c.complete_windows, 0) AS open_windows,
       coalesce(c.cured, 0) AS cured,
       coalesce(c.cured_so_far, 0) AS cured_so_far,
       coalesce(k.contacts, 0) AS contacts,
       e.opt_out_borrowers, e.opt_out_events::BIGINT AS opt_out_events,
       e.complaint_borrowers, e.complaint_events::BIGINT AS complaint_events,
       e.dispute_borrowers, e.dispute_events::BIGINT AS dispute_events,
       coalesce(s.nps_answers, 0) AS nps_answers,
       coalesce(s.nps_promoters, 0) AS nps_promoters,
       coalesce(s.nps_detractors, 0) AS nps_detractors,
       CASE WHEN s.nps_answers > 0 THEN 100.0 * (s.nps_promoters - s.nps_detractors) / s.nps_answers END AS nps,
       coalesce(s.csat_answers, 0) AS csat_answers,
       s.csat_mean,
       coalesce(pl.plans_taken, 0) AS plans_taken,
       coalesce(pl.plans_kept, 0) AS plans_kept
FROM arms AS a
JOIN events AS e ON e.arm = a.arm
LEFT JOIN cure AS c ON c.arm = a.arm
LEFT JOIN contacts AS k ON k.arm = a.arm
LEFT JOIN surveys AS s ON s.arm = a.arm
LEFT JOIN plans AS pl ON pl.arm = a.arm
ORDER BY a.arm;
