-- ladder_order: Did each delinquency episode climb the escalation ladder in the configured order,
-- one step at a time? Within one episode_id, judging the escalation contacts that were not
-- suppressed (planned, sent, delivered, failed):
--   * each step goes out on one local day only, and at most once per channel (never repeated);
--   * a step is never skipped: the previous step of the ladder was decided (a row of any status,
--     suppressed included) on an earlier day of the same episode;
--   * steps go in config order and one step per loan per day: no later step on the same or an
--     earlier day.
-- The ladder order comes from the config (table audit_ladder: step, rank).
-- Checked: every escalation contact that was not suppressed.
-- Violation: the first of the problems above that applies (or no episode, or not a ladder step).
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH esc AS (
    SELECT a.attempt_id, a.borrower_id, a.loan_id, a.episode_id, a.step, a.channel, a.status,
           a.planned_for_date, l.rank
    FROM contact_attempts AS a
    LEFT JOIN audit_ladder AS l USING (step)
    WHERE a.purpose = 'escalation'
),
first_decided AS (
    SELECT episode_id, rank, min(planned_for_date) AS first_day
    FROM esc WHERE episode_id IS NOT NULL AND rank IS NOT NULL
    GROUP BY episode_id, rank
),
live AS (
    SELECT e.*,
           row_number() OVER (PARTITION BY e.episode_id, e.step, e.channel
                              ORDER BY e.planned_for_date, e.attempt_id) AS channel_no,
           min(e.planned_for_date) OVER (PARTITION BY e.episode_id, e.step) AS step_first_day,
           max(e.rank) OVER (PARTITION BY e.episode_id ORDER BY e.planned_for_date
                             RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS highest_rank_so_far,
           min(e.rank) OVER (PARTITION BY e.episode_id, e.planned_for_date) AS lowest_rank_that_day
    FROM esc AS e
    WHERE e.status <> 'suppressed'
)
SELECT v.attempt_id, v.borrower_id, v.loan_id, v.episode_id, v.step, v.rank, v.channel, v.status,
       v.planned_for_date, v.step_first_day, pr.first_day AS previous_step_first_day,
       CASE
           WHEN v.episode_id IS NULL THEN 'escalation without a delinquency episode'
           WHEN v.rank IS NULL THEN 'step ' || v.step || ' is not on the configured ladder'
           WHEN v.planned_for_date > v.step_first_day
               THEN 'step ' || v.step || ' repeated: already planned on ' || v.step_first_day
           WHEN v.channel_no > 1 THEN 'step ' || v.step || ' repeated on ' || v.channel || ' the same day'
           WHEN v.rank > 1 AND (pr.first_day IS NULL OR pr.first_day >= v.planned_for_date)
               THEN 'step ' || v.step || ' skipped the previous ladder step'
           WHEN v.highest_rank_so_far > v.rank
               THEN 'step ' || v.step || ' came after a later ladder step'
           WHEN v.lowest_rank_that_day < v.rank
               THEN 'step ' || v.step || ' on the same day as an earlier ladder step'
       END AS violation
FROM live AS v
LEFT JOIN first_decided AS pr ON pr.episode_id = v.episode_id AND pr.rank = v.rank - 1;
