-- point_routes: every (borrower, channel, point) of the recipients view with whether the point may
-- be used for that borrower as of $now, and route_rank: 1 is the point a new contact goes to
-- (usable points first, then the primary, then the oldest). `blocked`, the first that applies:
--   'point_unusable'   the point is marked wrong_number / number_reassigned (point_flags) after
--                      this borrower last verified it ('point_verified' with contact_point set;
--                      a re-verification after the reassignment date counts as a new point);
--   'place_avoided'    the point's place is one the borrower asked us not to use: 'work' after a
--                      'workplace_prohibited' event, or a place in detail.avoid_places of their
--                      latest 'contact_preference';
--   'opted_out_point'  the channel was closed from this point (a STOP from the number);
--   'review_overdue'   a review item about a reply from this point on this channel is past its
--                      deadline unresolved (point_flags.review_overdue_channels).
-- When another usable point exists it is used rather than the contact suppressed; when none is,
-- the gate suppresses with the rank-1 point's reason (rules point_unusable, place_avoided,
-- opted_out, review_overdue). With $pending_only, only the borrowers of pending_scope (a contact
-- still to go whose window has opened, or an assigned call a dialer may still dial: the re-check
-- before send), as installment_state. Why: Reg F 1006.6(b)(3) (a place the consumer said is inconvenient, workplace
-- 1006.6(b)(3)), TCPA reassigned numbers, issue 11 cases 3 and 4. Needs point_flags.
CREATE OR REPLACE TEMP TABLE point_routes AS
WITH verified AS (
    SELECT borrower_id, contact_point AS point_id, max(occurred_at) AS verified_at
    FROM borrower_events
    WHERE occurred_at <= $now AND kind = 'point_verified' AND contact_point IS NOT NULL
    GROUP BY borrower_id, contact_point
),
workplace AS (
    SELECT DISTINCT borrower_id FROM borrower_events
    WHERE occurred_at <= $now AND kind = 'workplace_prohibited'
),
preference AS (
    SELECT borrower_id,
           arg_max(coalesce(CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.avoid_places[*]') END, []), occurred_at) AS avoid_places
    FROM borrower_events
    WHERE occurred_at <= $now AND kind = 'contact_preference'
    GROUP BY borrower_id
),
judged AS (
    SELECT r.borrower_id, r.channel, r.point_id, r.address, r.place, r.is_primary, r.added_at,
           CASE
               WHEN f.marked_at IS NOT NULL AND (v.verified_at IS NULL OR v.verified_at < f.marked_at)
                   THEN 'point_unusable'
               WHEN r.place = 'work' AND w.borrower_id IS NOT NULL THEN 'place_avoided'
               WHEN r.place IS NOT NULL AND list_contains(coalesce(pr.avoid_places, []), r.place) THEN 'place_avoided'
               WHEN list_contains(coalesce(f.opted_out_channels, []), r.channel) THEN 'opted_out_point'
               WHEN list_contains(coalesce(f.review_overdue_channels, []), r.channel) THEN 'review_overdue'
           END AS blocked
    FROM recipients AS r
    LEFT JOIN point_flags AS f USING (point_id)
    LEFT JOIN verified AS v ON v.borrower_id = r.borrower_id AND v.point_id = r.point_id
    LEFT JOIN workplace AS w ON w.borrower_id = r.borrower_id
    LEFT JOIN preference AS pr ON pr.borrower_id = r.borrower_id
    WHERE NOT $pending_only OR r.borrower_id IN (SELECT borrower_id FROM pending_scope)
)
SELECT *,
       row_number() OVER (PARTITION BY borrower_id, channel
                          ORDER BY blocked IS NOT NULL, is_primary DESC, added_at, point_id) AS route_rank
FROM judged;
