-- raw_day_candidates: the raw limit of selecting $as_of's reminder and ladder contacts, as one
-- SELECT over the book's own tables (no derived state, no policy, no writes), materialized as the
-- temp table raw_day_candidates (idempotency_key, borrower_id, loan_id, installment_no, channel,
-- purpose, step, amount_due, dpd). Same predicates as sql/lifecycle/plan/reminder_candidates.sql
-- and ladder_next.sql + ladder_candidates.sql, as far as one statement goes:
--   reminders: unpaid installments due days_before_due after $as_of, on each channel of the step;
--   ladder: loans overdue on $as_of in an open delinquency episode, the episode's next step (above
--   the highest step taken before $as_of; a loan first seen late enters at the step its days past due
--   call for, legally required steps never passed), once its min_dpd is reached and the pacing
--   ($min_days_between_steps) allows it.
-- Left out: repayment plans' effect on the entry step and on settled installments, follow-ups,
-- surveys. Reads bench_steps (the config's steps, loan_comms.policy.engine.step_rows) and
-- installments.amount_paid as the day's plan materialized it. Bench only (bench/daily_run.py).
CREATE OR REPLACE TEMP TABLE raw_day_candidates AS
WITH unpaid AS (
    SELECT i.loan_id, l.borrower_id, i.installment_no, i.due_date, i.amount_due - i.amount_paid AS outstanding
    FROM installments AS i JOIN loans AS l USING (loan_id)
    WHERE i.amount_paid < i.amount_due
),
reminders AS (
    SELECT u.borrower_id, u.loan_id, u.installment_no, s.channel, 'reminder' AS purpose, s.step,
           u.outstanding AS amount_due, 0 AS dpd
    FROM unpaid AS u JOIN bench_steps AS s ON s.purpose = 'reminder' AND u.due_date = $as_of::DATE + s.days_before_due
),
late AS (
    SELECT loan_id, any_value(borrower_id) AS borrower_id, min(installment_no) AS installment_no,
           date_diff('day', min(due_date), $as_of::DATE) AS dpd,
           sum(outstanding) FILTER (WHERE due_date < $as_of::DATE) AS overdue
    FROM unpaid GROUP BY loan_id
    HAVING min(due_date) < $as_of::DATE
),
ladder AS (
    SELECT step, any_value(rank) AS rank, any_value(min_dpd) AS min_dpd, list_contains($legal, step) AS legal
    FROM bench_steps WHERE purpose = 'escalation' GROUP BY step
),
episode AS (
    SELECT e.episode_id, e.loan_id, e.opened_on FROM delinquency_episodes AS e
    WHERE e.opened_on <= $as_of::DATE AND (e.closed_on IS NULL OR e.closed_on > $as_of::DATE)
),
history AS (
    SELECT a.episode_id, a.loan_id, a.planned_for_date, l.rank, step_taken(a.status, a.suppressed_reason) AS taken
    FROM contact_attempts AS a JOIN ladder AS l USING (step)
    WHERE a.purpose = 'escalation' AND a.planned_for_date < $as_of::DATE
),
seen AS (
    SELECT episode_id, min(planned_for_date) AS first_day, max(rank) FILTER (WHERE taken) AS done_rank
    FROM history WHERE episode_id IS NOT NULL GROUP BY episode_id
),
last_step AS (
    SELECT loan_id, max(planned_for_date) AS last_day FROM history WHERE taken GROUP BY loan_id
),
entry AS (   -- loans whose pacing allows a step today, with the dpd they entered the ladder at
    SELECT t.borrower_id, t.loan_id, t.installment_no, t.overdue, t.dpd, coalesce(s.done_rank, 0) AS done_rank,
           date_diff('day', e.opened_on, coalesce(s.first_day, $as_of::DATE)) + 1 AS entry_dpd
    FROM late AS t
    JOIN episode AS e USING (loan_id)
    LEFT JOIN seen AS s USING (episode_id)
    LEFT JOIN last_step AS p USING (loan_id)
    WHERE p.last_day IS NULL OR $as_of::DATE >= p.last_day + $min_days_between_steps::INTEGER
),
entered AS (
    SELECT n.*, coalesce(max(l.rank) FILTER (WHERE l.min_dpd <= n.entry_dpd), 1) AS entry_rank
    FROM entry AS n, ladder AS l
    GROUP BY ALL
),
next_step AS (
    SELECT n.borrower_id, n.loan_id, n.installment_no, n.overdue, n.dpd, min(l.rank) AS rank
    FROM entered AS n JOIN ladder AS l ON l.rank > n.done_rank AND (l.rank >= n.entry_rank OR l.legal)
    GROUP BY ALL
),
ladder_steps AS (
    SELECT n.borrower_id, n.loan_id, n.installment_no, c.channel, 'escalation' AS purpose, c.step,
           n.overdue AS amount_due, n.dpd
    FROM next_step AS n
    JOIN bench_steps AS c ON c.purpose = 'escalation' AND c.rank = n.rank
    WHERE c.min_dpd <= n.dpd
)
SELECT contact_key(borrower_id, loan_id, step, channel, $as_of::DATE) AS idempotency_key, *
FROM (SELECT * FROM reminders UNION ALL SELECT * FROM ladder_steps);
