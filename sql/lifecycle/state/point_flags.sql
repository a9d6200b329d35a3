-- point_flags: what is known about each contact point as of $now, whoever it belongs to:
--   marked_kind / marked_at  the latest mark that the point does not reach the borrower: a dialer
--                            call_outcome 'wrong_number' (its point: the event's contact_point, else
--                            the point the call was planned to, else the borrower's primary phone
--                            for calls planned before points were recorded), an operator
--                            'wrong_number' event, or 'number_reassigned' (the reassigned-numbers
--                            file, dated the day the number changed hands). Cleared for a borrower
--                            only by a later 'point_verified' of that borrower (point_routes.sql).
--   opted_out_channels       channels closed FROM this point: the latest opt_out/opt_in whose
--                            contact_point is this point is an opt_out (a STOP sent from the number;
--                            "stop calling me" texted from it closes its calls: the recorder sets the
--                            point on every row whose channel reaches a phone, sms and call).
--   review_overdue_channels  channels paused by open review items past their deadline whose reply
--                            came from this point (review_items.channels: the channel it came on
--                            and the channels it may be about; review_items.sql, needs it): nothing
--                            goes to the point on them, for any borrower holding it (the opt-out it
--                            may have been: "maybe stop calling me" texted from a shared phone).
-- Why: TCPA / Reg F 1006.6(d): a wrong or reassigned number is someone else's; a STOP from a
-- number revokes consent for that number whoever the message is for (issue 11 cases 3 and 4).
-- Derived from events, never stored: re-running a day derives the same flags.
CREATE OR REPLACE TEMP TABLE point_flags AS
WITH wrong_calls AS (
    SELECT e.occurred_at, e.kind,
           coalesce(e.contact_point, a.contact_point,
                    CASE WHEN a.attempt_id IS NULL OR a.contact_point IS NULL THEN point_id('phone', b.phone_e164) END)
               AS point_id
    FROM borrower_events AS e
    LEFT JOIN contact_attempts AS a ON a.attempt_id = CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.attempt_id') END
    LEFT JOIN borrowers AS b ON b.borrower_id = e.borrower_id
    WHERE e.occurred_at <= $now AND e.kind = 'call_outcome'
      AND CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.outcome') END = 'wrong_number'
),
marks AS (
    SELECT occurred_at, kind, point_id FROM wrong_calls WHERE point_id IS NOT NULL
    UNION ALL
    SELECT occurred_at, kind, contact_point FROM borrower_events
    WHERE occurred_at <= $now AND kind IN ('wrong_number', 'number_reassigned') AND contact_point IS NOT NULL
),
marked AS (
    SELECT point_id, arg_max(kind, occurred_at) AS marked_kind, max(occurred_at) AS marked_at
    FROM marks GROUP BY point_id
),
optout AS (
    SELECT contact_point AS point_id, list(channel) FILTER (WHERE last_kind = 'opt_out') AS opted_out_channels
    FROM (SELECT contact_point, channel, arg_max(kind, occurred_at) AS last_kind
          FROM borrower_events
          WHERE occurred_at <= $now AND kind IN ('opt_out', 'opt_in') AND contact_point IS NOT NULL
            AND channel IS NOT NULL
          GROUP BY contact_point, channel)
    GROUP BY contact_point
),
overdue AS (
    SELECT contact_point AS point_id, list(DISTINCT channel) AS review_overdue_channels
    FROM (SELECT contact_point, unnest(channels) AS channel FROM review_items
          WHERE overdue AND contact_point IS NOT NULL)
    GROUP BY contact_point
)
SELECT point_id, m.marked_kind, m.marked_at, coalesce(o.opted_out_channels, []) AS opted_out_channels,
       coalesce(r.review_overdue_channels, []) AS review_overdue_channels
FROM marked AS m FULL JOIN optout AS o USING (point_id) FULL JOIN overdue AS r USING (point_id);
