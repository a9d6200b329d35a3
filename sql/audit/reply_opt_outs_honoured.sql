-- reply_opt_outs_honoured: Read again, was every SMS or e-mail reply obeyed? Every stored reply
-- text (sms_reply, email_reply) is classified once more by the audit runner with the reply
-- classifier (loan_comms.understanding.understand), whatever was recorded from it at the time
-- (audit_reply_meanings). (1) After a reply that is a clear opt-out, did anything go on a channel it
-- closed to the number or address it came from, before an opt-in from that point (a reply read as
-- opt-in, or an opt_in event naming the point from an operator or a provider)? One
-- opt_out_confirmation per opt-out, on the channel the reply came on and sent within 3 days of it
-- (the longest real lag of the daily plan, every zone), is allowed. (2) After the deadline of a
-- review item that was not resolved (review_resolved for its review_id) by the time of the
-- contact, did anything go on one of the item's channels to the borrower or to the point the reply
-- came from? The items: every recorded review_opened (the channel it came on and detail.channels)
-- and every reply the audit itself reads as uncertain (the channel it came on plus the channels of
-- its own uncertain candidates: "maybe stop calling me" by SMS holds SMS and calls; deadline: its
-- business days in the borrower's zone). A later clear opt-out or opt-in read from a reply from
-- the same point on one of the item's channels supersedes the item there from that moment.
-- Exception (both): steps listed in policy.legally_required_steps, as for opt_out_honoured.
-- Checked: every attempted contact (any channel).
-- Violation: the latest choice read from the contact's point for its channel before sent_at is an
-- opt-out and the contact is not that opt-out's one confirmation; or an open, overdue review item
-- holds the contact's channel for its borrower or its point.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH choices AS (
    SELECT m.contact_point AS point, unnest(m.opt_out_channels) AS channel, 'opt_out' AS kind, m.occurred_at,
           m.channel AS came_on, true AS from_reply
    FROM audit_reply_meanings AS m WHERE m.contact_point IS NOT NULL
    UNION ALL
    SELECT m.contact_point, unnest(m.opt_in_channels), 'opt_in', m.occurred_at, m.channel, true
    FROM audit_reply_meanings AS m WHERE m.contact_point IS NOT NULL
    UNION ALL   -- an opt-in not read from a reply (an operator's, a provider's) reopens the point too
    SELECT e.contact_point, e.channel, 'opt_in', e.occurred_at, e.channel, false
    FROM borrower_events AS e
    WHERE e.kind = 'opt_in' AND e.contact_point IS NOT NULL AND e.channel IS NOT NULL
      AND coalesce(e.source, '') NOT IN ('sms_reply', 'email_reply')
),
judged AS (
    SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at, c.point, c.legally_required,
           o.kind AS last_choice, o.occurred_at AS chosen_at, o.came_on
    FROM audit_contacts AS c
    ASOF LEFT JOIN choices AS o
      ON o.point = c.point AND o.channel = c.channel AND c.sent_at > o.occurred_at
),
confirmations AS (
    SELECT j.*,
           j.last_choice = 'opt_out' AND j.step = 'opt_out_confirmation' AND j.channel = j.came_on
           AND j.sent_at <= j.chosen_at + INTERVAL 3 DAY
           AND count(*) FILTER (WHERE j.step = 'opt_out_confirmation')
                   OVER (PARTITION BY j.point, j.channel, j.chosen_at ORDER BY j.sent_at, j.attempt_id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) = 1 AS the_confirmation
    FROM judged AS j
),
recorded_items AS (
    SELECT review_id, borrower_id, point, opened_at, deadline, unnest(channels) AS channel
    FROM (SELECT coalesce(CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.review_id') END,
                          regexp_replace(e.external_id, ':review$', '')) AS review_id,
                 e.borrower_id, e.contact_point AS point, e.occurred_at AS opened_at,
                 list_distinct(list_concat(
                     coalesce(CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.channels[*]') END, []),
                     [e.channel])) AS channels,
                 coalesce(CASE WHEN json_valid(e.detail)
                               THEN TRY_CAST(json_extract_string(e.detail, '$.deadline') AS TIMESTAMPTZ) END,
                          e.occurred_at) AS deadline
          FROM borrower_events AS e
          WHERE e.kind = 'review_opened' AND e.channel IS NOT NULL)
),
items AS (
    SELECT review_id, borrower_id, point, opened_at, deadline, channel FROM recorded_items
    UNION ALL   -- the audit's own reading: a reply it reads as uncertain, on its own channels and deadline
    SELECT m.external_id, m.borrower_id, m.contact_point, m.occurred_at, m.review_deadline, unnest(m.review_channels)
    FROM audit_reply_meanings AS m
    WHERE m.in_review
),
resolutions AS (
    SELECT coalesce(CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.review_id') END,
                    regexp_replace(external_id, ':resolved$', '')) AS review_id,
           min(occurred_at) AS resolved_at
    FROM borrower_events WHERE kind = 'review_resolved'
    GROUP BY ALL
),
held AS (
    SELECT c.attempt_id, min(i.deadline) AS overdue_since
    FROM confirmations AS c
    JOIN items AS i
      ON i.channel = c.channel AND (i.borrower_id = c.borrower_id OR i.point = c.point)
     AND i.deadline < c.sent_at
    LEFT JOIN resolutions AS r ON r.review_id = i.review_id
    WHERE (r.resolved_at IS NULL OR r.resolved_at > c.sent_at)
      AND NOT EXISTS (SELECT 1 FROM choices AS s     -- superseded by a later clear choice from the point
                      WHERE s.from_reply AND s.point = i.point AND s.channel = i.channel
                        AND s.occurred_at > i.opened_at AND s.occurred_at < c.sent_at)
    GROUP BY c.attempt_id
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at, c.point, c.legally_required,
       c.last_choice, c.chosen_at, h.overdue_since,
       CASE WHEN c.legally_required THEN NULL
            WHEN c.last_choice = 'opt_out' AND NOT c.the_confirmation
            THEN 'sent by ' || c.channel || ' to a number or address whose reply of '
                 || strftime(c.chosen_at, '%Y-%m-%d %H:%M') || ' UTC reads as an opt-out of ' || c.channel
            WHEN h.overdue_since IS NOT NULL
            THEN 'sent by ' || c.channel || ' after the deadline ' || strftime(h.overdue_since, '%Y-%m-%d %H:%M')
                 || ' UTC of an unresolved review item on ' || c.channel
       END AS violation
FROM confirmations AS c
LEFT JOIN held AS h USING (attempt_id);
