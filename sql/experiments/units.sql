-- experiment_units (temp table): the delinquent loans of experiment_members (members.sql first), one
-- row per loan: its first delinquency episode (delinquency_episodes, the state's own "overdue until
-- current again", as sql/arrangements/stats_cure.sql uses) that was open on or after the borrower's
-- assignment and opened by min($as_of, $end_day), i.e. the loan was in arrears while in the experiment.
-- The cure window starts on index_day = the later of the assignment and the episode's start (a loan
-- that falls behind after its borrower entered gets its full window) and lasts $cure_within_days.
-- Columns: arm, borrower_id, loan_id, index_day, window_end, complete (window_end <= $as_of: only these
-- count in the cure rate's denominator), cured (back to current: episode closed by
-- min(window_end, $as_of)). An episode closed on the assignment day was current at that day's plan,
-- so it is not one. Returns nothing.
CREATE OR REPLACE TEMP TABLE experiment_units AS
WITH episodes AS (
    SELECT m.arm, m.borrower_id, e.loan_id, e.closed_on,
           greatest(m.assigned_on, e.opened_on) AS index_day,
           row_number() OVER (PARTITION BY e.loan_id ORDER BY e.opened_on) AS nth
    FROM experiment_members AS m
    JOIN loans AS l ON l.borrower_id = m.borrower_id
    JOIN delinquency_episodes AS e ON e.loan_id = l.loan_id
    WHERE e.opened_on <= least($as_of::DATE, $end_day::DATE)
      AND (e.closed_on IS NULL OR e.closed_on > m.assigned_on)
)
SELECT arm, borrower_id, loan_id, index_day,
       index_day + $cure_within_days::INTEGER AS window_end,
       index_day + $cure_within_days::INTEGER <= $as_of::DATE AS complete,
       coalesce(closed_on <= least(index_day + $cure_within_days::INTEGER, $as_of::DATE), false) AS cured
FROM episodes
WHERE nth = 1;
