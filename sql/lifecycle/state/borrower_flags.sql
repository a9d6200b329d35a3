-- borrower_flags: what each borrower has told us as of $now, for every loan of theirs (the kinds
-- loan_comms/policy/kinds.py documents as borrower-wide): channels opted out, cease-contact, the
-- local day of the last conversation (a dial whose outcome is a conversation, call_conversation() in
-- sql/schema/005_macros.sql, or an inbound call that was a conversation: Reg F 1006.14(b)(2)(i)(B)
-- comment 1.ii), the local day of the last callback the person booked with an agent on the phone
-- (last_callback_request_day: a callback_request from the dialer, their consent to that call, Reg F
-- 1006.14(b)(3)(i), read by cap_call_cooldown), and the standing restrictions
-- of issue 11: attorney representation, vulnerability, breathing space (with its end date),
-- workplace prohibited, deceased, bankruptcy, an open complaint, and the latest contact preference.
-- An event recorded with scope 'point' (an operator's opt-out/opt-in of one number or e-mail only)
-- is not the person's choice: sql/lifecycle/state/point_flags.sql reads it for the point.
-- Each pair is read "latest event wins" (opt_out/opt_in, cease/revoked, attorney/withdrawn,
-- vulnerable/ended, breathing_space/ended, workplace_prohibited/permitted, bankruptcy/dismissed,
-- complaint/resolved); deceased has no end; a later contact_preference replaces the earlier one.
-- Review items (review_items.sql, needs it): awaiting_review_channels, the channels the borrower's
-- open items pause (each item: the channel its text came on plus every channel its candidates are
-- about, less those a later clear choice superseded; collection on them pauses: awaiting_review),
-- and review_overdue_channels, those of open items past their deadline (nothing goes on them:
-- review_overdue); review_open: the borrower has any open item, a question that pauses no channel
-- included (no survey goes while a person has yet to read or answer them: awaiting_review).
CREATE OR REPLACE TEMP TABLE borrower_flags AS
WITH ev AS (
    SELECT e.borrower_id, e.kind, e.channel, e.occurred_at, e.detail, e.source, b.timezone
    FROM borrower_events AS e JOIN borrowers AS b USING (borrower_id)
    WHERE e.occurred_at <= $now
      AND coalesce(e.scope, 'borrower') <> 'point'   -- an opt-out of one number only: point_flags.sql
      AND e.kind IN ('opt_out', 'opt_in', 'cease_contact', 'cease_contact_revoked', 'call_outcome', 'inbound_call',
                     'attorney_representation', 'attorney_withdrawn', 'vulnerable', 'vulnerable_ended',
                     'breathing_space', 'breathing_space_ended', 'workplace_prohibited', 'workplace_permitted',
                     'deceased', 'bankruptcy', 'bankruptcy_dismissed', 'complaint', 'complaint_resolved',
                     'contact_preference', 'callback_request')
),
optout AS (
    SELECT borrower_id, list(channel) FILTER (WHERE last_kind = 'opt_out') AS opted_out_channels
    FROM (SELECT borrower_id, channel, arg_max(kind, occurred_at) AS last_kind
          FROM ev WHERE kind IN ('opt_out', 'opt_in') GROUP BY borrower_id, channel)
    GROUP BY borrower_id
),
standing AS (
    SELECT borrower_id,
           arg_max(kind, occurred_at) FILTER (WHERE kind IN ('cease_contact', 'cease_contact_revoked'))
               = 'cease_contact' AS cease_active,
           arg_max(kind, occurred_at) FILTER (WHERE kind IN ('attorney_representation', 'attorney_withdrawn'))
               = 'attorney_representation' AS attorney_active,
           arg_max(kind, occurred_at) FILTER (WHERE kind IN ('vulnerable', 'vulnerable_ended'))
               = 'vulnerable' AS vulnerable_active,
           arg_max(kind, occurred_at) FILTER (WHERE kind IN ('workplace_prohibited', 'workplace_permitted'))
               = 'workplace_prohibited' AS workplace_prohibited,
           bool_or(kind = 'deceased') AS deceased,
           arg_max(kind, occurred_at) FILTER (WHERE kind IN ('bankruptcy', 'bankruptcy_dismissed'))
               = 'bankruptcy' AS bankruptcy_active,
           arg_max(kind, occurred_at) FILTER (WHERE kind IN ('complaint', 'complaint_resolved'))
               = 'complaint' AS complaint_open,
           CASE WHEN arg_max(kind, occurred_at) FILTER (WHERE kind IN ('breathing_space', 'breathing_space_ended'))
                     = 'breathing_space'
                THEN coalesce(arg_max(TRY_CAST(json_extract_string(detail, '$.until') AS DATE), occurred_at)
                                  FILTER (WHERE kind = 'breathing_space'),
                              DATE '9999-12-31')   -- no readable end date: open until ended
           END AS breathing_space_until,
           arg_max(detail, occurred_at) FILTER (WHERE kind = 'contact_preference') AS contact_preference,
           max(timezone(timezone, occurred_at)::DATE) FILTER (
               WHERE (kind = 'call_outcome' AND call_conversation(json_extract_string(detail, '$.outcome')))
                  OR (kind = 'inbound_call' AND json_extract_string(detail, '$.conversation') = 'true'))
               AS last_conversation_day,
           max(timezone(timezone, occurred_at)::DATE) FILTER (WHERE kind = 'callback_request' AND source = 'dialer')
               AS last_callback_request_day
    FROM ev
    WHERE kind NOT IN ('opt_out', 'opt_in')
    GROUP BY borrower_id
),
reviews AS (
    SELECT borrower_id,
           coalesce(list(DISTINCT channel) FILTER (WHERE channel IS NOT NULL), []) AS awaiting_review_channels,
           coalesce(list(DISTINCT channel) FILTER (WHERE channel IS NOT NULL AND overdue), []) AS review_overdue_channels,
           true AS review_open
    FROM (SELECT borrower_id, overdue, unnest(CASE WHEN len(channels) = 0 THEN [NULL::VARCHAR] ELSE channels END)
                 AS channel
          FROM review_items)
    GROUP BY borrower_id
),
flags AS (
SELECT borrower_id,
       coalesce(o.opted_out_channels, []) AS opted_out_channels,
       coalesce(s.cease_active, false) AS cease_active,
       s.last_conversation_day,
       s.last_callback_request_day,
       coalesce(s.attorney_active, false) AS attorney_active,
       coalesce(s.vulnerable_active, false) AS vulnerable_active,
       coalesce(s.workplace_prohibited, false) AS workplace_prohibited,
       coalesce(s.deceased, false) AS deceased,
       coalesce(s.bankruptcy_active, false) AS bankruptcy_active,
       coalesce(s.complaint_open, false) AS complaint_open,
       s.breathing_space_until,
       s.contact_preference
FROM optout AS o
FULL JOIN standing AS s USING (borrower_id)
)
SELECT borrower_id, f.* EXCLUDE (borrower_id),
       coalesce(r.awaiting_review_channels, []) AS awaiting_review_channels,
       coalesce(r.review_overdue_channels, []) AS review_overdue_channels,
       coalesce(r.review_open, false) AS review_open
FROM flags AS f
FULL JOIN reviews AS r USING (borrower_id);
