-- ladder_order: Did each delinquency episode climb the escalation ladder in the configured order,
-- one step at a time? Within one episode_id, judging the escalation contacts that were not
-- suppressed (planned, sent, delivered, failed):
--   * each step goes out on one local day only, and at most once per channel (never repeated);
--   * a step is never skipped: the previous step of the episode's ladder was decided (a row of
--     any status, suppressed included) on an earlier day of the same episode. The episode's ladder
--     is the configured one, except where the episode was first seen late: on its first decided day
--     (its earliest escalation row of any status) the loan was already D days past due, judged from
--     the installments (the oldest one due before that day and not paid before the day before it),
--     and the steps below the highest one whose min_dpd <= D may then be passed, unless listed in
--     policy.legally_required_steps (never passed). Why: issue 11 case 8 (no catch-up burst), and
--     required notices are served whatever (Reg F 1006.6(c)(2));
--   * steps go in config order and one step per loan per day: no later step on the same or an
--     earlier day.
-- The ladder comes from the config (table audit_ladder: step, rank, min_dpd; audit_legal_steps).
-- A contact of an experiment's challenger (contact_attempts.experiment, arm) climbs its arm's ladder:
-- the steps the arm skips that day (audit_arm_skips of the experiment's version the plan recorded for
-- the day, audit_experiment_days) are not "the previous step".
-- Checked: every escalation contact that was not suppressed.
-- Violation: the first of the problems above that applies (or no episode, or not a ladder step).
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH esc AS (
    SELECT a.attempt_id, a.borrower_id, a.loan_id, a.episode_id, a.step, a.channel, a.status,
           a.planned_for_date, l.rank, a.experiment, a.arm
    FROM contact_attempts AS a
    LEFT JOIN audit_ladder AS l USING (step)
    WHERE a.purpose = 'escalation'
),
first_decided AS (
    SELECT episode_id, rank, min(planned_for_date) AS first_day
    FROM esc WHERE episode_id IS NOT NULL AND rank IS NOT NULL
    GROUP BY episode_id, rank
),
episode_start AS (
    SELECT episode_id, any_value(loan_id) AS loan_id, any_value(borrower_id) AS borrower_id,
           min(planned_for_date) AS first_day
    FROM esc WHERE episode_id IS NOT NULL
    GROUP BY episode_id
),
entry AS (   -- days past due on the episode's first decided day, from the installments
    SELECT s.episode_id, s.first_day, date_diff('day', min(i.due_date), s.first_day) AS entry_dpd
    FROM episode_start AS s
    LEFT JOIN borrowers AS b ON b.borrower_id = s.borrower_id
    LEFT JOIN installments AS i
      ON i.loan_id = s.loan_id AND i.due_date < s.first_day
     AND (i.paid_at IS NULL OR timezone(coalesce(b.timezone, 'UTC'), i.paid_at)::DATE >= s.first_day - 1)
    GROUP BY s.episode_id, s.first_day
),
entry_rank AS (
    SELECT e.episode_id, e.entry_dpd,
           coalesce(max(l.rank) FILTER (WHERE l.min_dpd <= e.entry_dpd), 1) AS entry_rank
    FROM entry AS e CROSS JOIN audit_ladder AS l
    GROUP BY e.episode_id, e.entry_dpd
),
episode_ladder AS (  -- the ranks each episode had to climb through
    SELECT r.episode_id, l.rank, l.step
    FROM entry_rank AS r
    JOIN audit_ladder AS l
      ON l.rank >= r.entry_rank OR l.step IN (SELECT step FROM audit_legal_steps)
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
),
previous AS (   -- the step of the episode's ladder just below each live contact's
    SELECT v.attempt_id, max(el.rank) AS previous_rank
    FROM live AS v JOIN episode_ladder AS el ON el.episode_id = v.episode_id AND el.rank < v.rank
    WHERE NOT EXISTS (SELECT 1 FROM audit_experiment_days AS d JOIN audit_arm_skips AS s ON s.version = d.version
                      WHERE d.day = v.planned_for_date AND d.experiment = v.experiment
                        AND s.arm = v.arm AND s.step = el.step)
    GROUP BY v.attempt_id
)
SELECT v.attempt_id, v.borrower_id, v.loan_id, v.episode_id, v.step, v.rank, v.channel, v.status,
       v.planned_for_date, v.step_first_day, er.entry_dpd, er.entry_rank, p.previous_rank,
       pr.first_day AS previous_step_first_day,
       CASE
           WHEN v.episode_id IS NULL THEN 'escalation without a delinquency episode'
           WHEN v.rank IS NULL THEN 'step ' || v.step || ' is not on the configured ladder'
           WHEN v.planned_for_date > v.step_first_day
               THEN 'step ' || v.step || ' repeated: already planned on ' || v.step_first_day
           WHEN v.channel_no > 1 THEN 'step ' || v.step || ' repeated on ' || v.channel || ' the same day'
           WHEN p.previous_rank IS NOT NULL AND (pr.first_day IS NULL OR pr.first_day >= v.planned_for_date)
               THEN 'step ' || v.step || ' skipped the previous ladder step (the episode was first seen at '
                    || coalesce(er.entry_dpd::VARCHAR, '?') || ' dpd)'
           WHEN v.highest_rank_so_far > v.rank
               THEN 'step ' || v.step || ' came after a later ladder step'
           WHEN v.lowest_rank_that_day < v.rank
               THEN 'step ' || v.step || ' on the same day as an earlier ladder step'
       END AS violation
FROM live AS v
LEFT JOIN entry_rank AS er ON er.episode_id = v.episode_id
LEFT JOIN previous AS p ON p.attempt_id = v.attempt_id
LEFT JOIN first_decided AS pr ON pr.episode_id = v.episode_id AND pr.rank = p.previous_rank;
