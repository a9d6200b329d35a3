-- opt_out_honoured: After a borrower opted out of a channel (opt_out event for sms, email or call:
-- a STOP reply, an unsubscribe link...), did anything still reach them on that channel before they
-- opted back in (opt_in event for the same channel)? And after a STOP came FROM a number (an
-- opt_out whose contact_point is that number), did anything still go to that number on that
-- channel, whoever it was for, before an opt_in from it? (An operator's opt-out of one number only,
-- recorded with scope 'point', is that number's choice and not the person's.) An opt-out counts from the next contact
-- on: anything attempted after the moment it was recorded (occurred_at).
-- Exception: steps listed in policy.legally_required_steps may still go; and the one confirmation of
-- an opt-out made by reply (step opt_out_confirmation, TCPA 2024: one text confirming a revocation):
-- the first one after that opt-out, on its channel, to the point the opt-out came from, within 3 days
-- (the longest real lag of the daily plan: sql/lifecycle/plan/reply_follow_ups.sql, docs/policy.md).
-- Checked: every attempted contact (any channel).
-- Violation: the borrower's latest opt_out/opt_in for this channel before sent_at is an opt_out, or
-- the latest one from the contact's point (audit_contacts.point) for this channel is, and the step
-- is not legally required.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH choices AS (
    SELECT e.borrower_id, e.channel, e.kind, e.occurred_at, e.contact_point AS chosen_from
    FROM borrower_events AS e
    WHERE e.kind IN ('opt_out', 'opt_in') AND e.channel IS NOT NULL
      AND coalesce(e.scope, 'borrower') <> 'point'
),
point_choices AS (
    SELECT e.contact_point AS point, e.channel, e.kind, e.occurred_at
    FROM borrower_events AS e
    WHERE e.kind IN ('opt_out', 'opt_in') AND e.channel IS NOT NULL AND e.contact_point IS NOT NULL
),
judged AS (
    SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at, c.point, c.legally_required,
           o.kind AS last_choice, o.occurred_at AS chosen_at, o.chosen_from
    FROM audit_contacts AS c
    ASOF LEFT JOIN choices AS o
      ON o.borrower_id = c.borrower_id AND o.channel = c.channel AND c.sent_at > o.occurred_at
),
with_point AS (
    SELECT j.*, q.kind AS last_point_choice, q.occurred_at AS point_chosen_at
    FROM judged AS j
    ASOF LEFT JOIN point_choices AS q
      ON q.point = j.point AND q.channel = j.channel AND j.sent_at > q.occurred_at
),
confirmed AS (   -- the one confirmation of the opt-out the point itself sent (its latest choice),
                 -- to that point: also when the person opted out again from another number since
                 -- (two STOPs from two phones: each number's STOP is confirmed to that number)
    SELECT w.*,
           w.step = 'opt_out_confirmation' AND w.last_point_choice = 'opt_out'
           AND w.sent_at <= w.point_chosen_at + INTERVAL 3 DAY
           AND count(*) FILTER (WHERE w.step = 'opt_out_confirmation')
                   OVER (PARTITION BY w.point, w.channel, w.point_chosen_at
                         ORDER BY w.sent_at, w.attempt_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) = 1
               AS the_confirmation
    FROM with_point AS w
)
SELECT j.* EXCLUDE (the_confirmation),
       CASE WHEN j.the_confirmation THEN NULL
            WHEN j.last_choice = 'opt_out' AND NOT j.legally_required
            THEN 'sent by ' || j.channel || ' after the borrower opted out of ' || j.channel
                 || ' at ' || strftime(j.chosen_at, '%Y-%m-%d %H:%M') || ' UTC'
            WHEN j.last_point_choice = 'opt_out' AND NOT j.legally_required
            THEN 'sent by ' || j.channel || ' to a number or address that opted out of ' || j.channel
                 || ' at ' || strftime(j.point_chosen_at, '%Y-%m-%d %H:%M') || ' UTC'
       END AS violation
FROM confirmed AS j;
