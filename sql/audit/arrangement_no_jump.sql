-- arrangement_no_jump: After a repayment plan broke, did the ladder resume at the step after the
-- last one taken in the episode before the plan, rather than jump to the step the grown days past
-- due would call for? Taken: an escalation row of the same episode planned before the plan's
-- acceptance day that was not suppressed, or suppressed for a standing reason (it could never be
-- made: no recipient, opted out, cease-contact, attorney, deceased, bankruptcy, breathing space,
-- preference, vulnerable, no common window, unusable or avoided point, review overdue, unannounced
-- visit). With none taken, the resumed step may be at most the one the days past due on the
-- acceptance day called for (the oldest installment due before it and unpaid at it).
-- Ranks come from the config (audit_ladder).
-- Checked: the first escalation contact sent on each covered loan after each arrangement_broken event.
-- Violation: its rank is above the last taken rank + 1 (or above the acceptance day's entry rank).
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH plan_events AS (
    SELECT kind, borrower_id, occurred_at,
           CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.arrangement_id') END AS arrangement_id
    FROM borrower_events WHERE kind IN ('arrangement_accepted', 'arrangement_broken')
),
plans AS (
    SELECT arrangement_id, any_value(borrower_id) AS borrower_id,
           min(occurred_at) FILTER (WHERE kind = 'arrangement_accepted') AS accepted_at,
           min(occurred_at) FILTER (WHERE kind = 'arrangement_broken') AS broken_at
    FROM plan_events WHERE arrangement_id IS NOT NULL GROUP BY arrangement_id
),
firsts AS (
    SELECT p.arrangement_id, p.accepted_at, p.broken_at, l.loan_id, arg_min(c.attempt_id, c.sent_at) AS attempt_id
    FROM plans AS p
    JOIN arrangement_loans AS l USING (arrangement_id)
    JOIN audit_contacts AS c ON c.loan_id = l.loan_id AND c.purpose = 'escalation' AND c.sent_at > p.broken_at
    WHERE p.accepted_at IS NOT NULL AND p.broken_at IS NOT NULL
    GROUP BY ALL
),
judged AS (
    SELECT f.*, c.borrower_id, c.channel, c.step, c.sent_at, c.sent_day, c.episode_id, r.rank,
           timezone(c.timezone, f.accepted_at)::DATE AS accepted_day
    FROM firsts AS f JOIN audit_contacts AS c USING (attempt_id) JOIN audit_ladder AS r ON r.step = c.step
),
before AS (
    SELECT j.attempt_id, max(r.rank) AS last_rank
    FROM judged AS j
    JOIN contact_attempts AS a
      ON a.episode_id = j.episode_id AND a.purpose = 'escalation' AND a.planned_for_date < j.accepted_day
    JOIN audit_ladder AS r ON r.step = a.step
    WHERE a.status <> 'suppressed' OR a.suppressed_reason LIKE 'opted_out_%'
       OR a.suppressed_reason IN ('no_recipient', 'point_unusable', 'place_avoided', 'review_overdue', 'cease_contact',
                                  'attorney_represented', 'deceased', 'bankruptcy', 'breathing_space',
                                  'preference_channel', 'vulnerable_no_calls', 'no_common_window', 'visit_unannounced')
    GROUP BY j.attempt_id
),
entry_dpd AS (   -- with nothing taken before the plan: the days past due on its acceptance day
    SELECT j.attempt_id, date_diff('day', min(i.due_date), any_value(j.accepted_day)) AS dpd
    FROM judged AS j
    JOIN installments AS i
      ON i.loan_id = j.loan_id AND i.due_date < j.accepted_day AND (i.paid_at IS NULL OR i.paid_at > j.accepted_at)
    GROUP BY j.attempt_id
),
entry AS (   -- ... and the step they called for
    SELECT d.attempt_id, coalesce(max(r.rank) FILTER (WHERE r.min_dpd <= d.dpd), 1) AS entry_rank
    FROM entry_dpd AS d, audit_ladder AS r
    GROUP BY d.attempt_id
)
SELECT j.attempt_id, j.borrower_id, j.loan_id, j.channel, j.step, j.rank, j.sent_at, j.sent_day, j.arrangement_id,
       b.last_rank, e.entry_rank,
       CASE WHEN j.rank > coalesce(b.last_rank + 1, e.entry_rank, 1)
            THEN 'ladder resumed at step ' || j.rank || ' (' || j.step || ') after plan ' || j.arrangement_id
                 || ' broke; the last step taken before it was '
                 || coalesce(b.last_rank::VARCHAR, 'none (entry ' || coalesce(e.entry_rank, 1) || ')')
       END AS violation
FROM judged AS j LEFT JOIN before AS b USING (attempt_id) LEFT JOIN entry AS e USING (attempt_id);
