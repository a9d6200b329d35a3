-- ladder_next: for each loan in an open delinquency episode on $as_of, the episode's next ladder
-- step and whether the ladder's pacing lets a step go today. Read by ladder_candidates.sql (the
-- step itself, once its min_dpd is reached) and visit_notice_candidates.sql (the notice a visit
-- step needs before it). Returns nothing.
--   The episode's ladder. A loan the planner first sees already late (the episode's first decided
--   day, i.e. its first escalation row of any status, or $as_of when it has none, is at a dpd past
--   the first step's min_dpd: a book imported at 78 dpd) starts at the step its dpd calls for: the
--   highest step whose min_dpd it had reached that day (entry_rank). The steps before it are
--   passed (never planned, so never sent as a catch-up burst), except those listed in
--   policy.legally_required_steps (cfg_legal), which stay on the episode's ladder and are served
--   first. A loan seen on its first day late has entry_rank 1 and climbs the whole ladder.
--   Why: issue 11 case 8 (8 contacts in 7 days after an import at 78 dpd); FCA CONC 7.9 and
--   Reg F 1006.14 (no contact at an unreasonable frequency); Reg F 1006.6(c)(2) for required notices.
--   next step: the lowest step of the episode's ladder above the highest one taken in the episode
--   (step_taken: planned or sent, or could never be made). A step only held back (cap, pause,
--   holiday, missed window) is not taken and is tried again.
--   paced_ok: no escalation step of the loan was taken in the last $min_days_between_steps - 1
--   local days (config [ladder_pacing]): at most one step per loan per that many days.
--   The ladder is the borrower's arm's (issue 19): cfg_arm_steps by day_arms.arm_key, 'champion'
--   (today's config) outside any experiment. A challenger's ladder keeps the champion's ranks with
--   some steps dropped or a later min_dpd, so what was taken under one arm counts under the other
--   when a borrower goes back to the champion (a guardrail stop).
-- Only rows of earlier days count, so re-running a day re-proposes the same step.
CREATE OR REPLACE TEMP TABLE ladder_next AS
WITH open_episode AS (   -- open on $as_of, whatever later days did to it (re-runs read the past as it was)
    SELECT e.episode_id, e.loan_id, e.opened_on, coalesce(x.arm_key, 'champion') AS arm_key
    FROM day_episodes AS e
    LEFT JOIN loans AS l ON l.loan_id = e.loan_id
    LEFT JOIN day_arms AS x ON x.borrower_id = l.borrower_id
    WHERE e.opened_on <= $as_of::DATE AND (e.closed_on IS NULL OR e.closed_on > $as_of::DATE)
),
arm_ladder AS (   -- each arm's ladder (ranks are the champion's)
    SELECT arm_key, step, any_value(rank) AS rank, any_value(min_dpd) AS min_dpd,
           bool_or(channel = 'visit') AS is_visit, step IN (SELECT step FROM cfg_legal) AS legally_required
    FROM cfg_arm_steps WHERE purpose = 'escalation'
    GROUP BY arm_key, step
),
ladder AS (   -- the champion's: every step any arm can take, with its rank
    SELECT * FROM arm_ladder WHERE arm_key = 'champion'
),
history AS (   -- the loans in an open episode only: no other loan's ladder is asked about
    SELECT a.episode_id, a.loan_id, a.step, a.planned_for_date,
           step_taken(a.status, a.suppressed_reason) AS taken
    FROM contact_attempts AS a
    WHERE a.purpose = 'escalation' AND a.planned_for_date < $as_of::DATE
      AND a.loan_id IN (SELECT loan_id FROM open_episode)
),
seen AS (
    SELECT h.episode_id, min(h.planned_for_date) AS first_day, max(l.rank) FILTER (WHERE h.taken) AS done_rank
    FROM history AS h JOIN ladder AS l USING (step)
    WHERE h.episode_id IS NOT NULL
    GROUP BY h.episode_id
),
last_step AS (   -- steps of the configured ladder only
    SELECT h.loan_id, max(h.planned_for_date) AS last_day
    FROM history AS h WHERE h.taken AND h.step IN (SELECT step FROM ladder)
    GROUP BY h.loan_id
),
plan_start AS (   -- the first repayment plan asked for in the episode on the loan (arrangement_state)
    SELECT e.episode_id, min(s.requested_day) AS first_day
    FROM open_episode AS e
    JOIN arrangement_state AS s ON list_contains(s.loan_ids, e.loan_id) AND s.requested_day >= e.opened_on
    GROUP BY e.episode_id
),
entry AS (
    SELECT e.episode_id, e.loan_id, e.arm_key,
           date_diff('day', e.opened_on, least(coalesce(s.first_day, $as_of::DATE),
                                               coalesce(ps.first_day, $as_of::DATE))) + 1 AS entry_dpd,
           coalesce(s.done_rank, 0) AS done_rank
    FROM open_episode AS e LEFT JOIN seen AS s USING (episode_id) LEFT JOIN plan_start AS ps USING (episode_id)
),
entry_rank AS (
    SELECT n.episode_id, coalesce(max(l.rank) FILTER (WHERE l.min_dpd <= n.entry_dpd), 1) AS entry_rank
    FROM entry AS n JOIN arm_ladder AS l ON l.arm_key = n.arm_key
    GROUP BY n.episode_id
),
next_rank AS (
    SELECT n.episode_id, n.loan_id, n.arm_key, n.entry_dpd, r.entry_rank, min(l.rank) AS rank
    FROM entry AS n
    JOIN entry_rank AS r USING (episode_id)
    JOIN arm_ladder AS l ON l.arm_key = n.arm_key AND l.rank > n.done_rank
                        AND (l.rank >= r.entry_rank OR l.legally_required)
    GROUP BY ALL
)
SELECT x.episode_id, x.loan_id, s.borrower_id, s.oldest_unpaid_no, s.overdue_amount, s.oldest_unpaid_due, s.dpd,
       x.entry_dpd, x.entry_rank, l.step, l.rank, l.min_dpd, l.is_visit, x.arm_key,
       (p.last_day IS NULL OR $as_of::DATE >= p.last_day + $min_days_between_steps::INTEGER) AS paced_ok
FROM next_rank AS x
JOIN arm_ladder AS l ON l.arm_key = x.arm_key AND l.rank = x.rank
JOIN loan_state AS s USING (loan_id)
LEFT JOIN last_step AS p USING (loan_id)
WHERE s.dpd > 0;
