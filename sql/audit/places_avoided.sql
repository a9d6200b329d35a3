-- places_avoided: After a borrower told us not to use a place (a 'workplace_prohibited' event: no
-- contact at work; or a 'contact_preference' whose detail.avoid_places lists 'work', 'home', ...),
-- did an SMS, call or e-mail still go to one of their points at that place?
-- Places of points are the borrower's own rows in borrower_contact_points (the borrower row's
-- phone and e-mail have no place). Point ids are written out here, not the planner's macro.
-- Checked: every attempted SMS, call and e-mail to a point with a place.
-- Violation: the point's place is 'work' and a workplace_prohibited came before sent_at, or the
-- borrower's latest contact_preference before sent_at lists the place.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH places AS (
    SELECT borrower_id, kind || ':' || substr(sha256(kind || ':' || address), 1, 16) AS point, place
    FROM borrower_contact_points WHERE place IS NOT NULL
),
prefs AS (
    SELECT borrower_id, occurred_at,
           coalesce(CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.avoid_places[*]') END, []) AS avoid_places
    FROM borrower_events WHERE kind = 'contact_preference'
),
placed AS (
    SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at, c.point, p.place,
           (SELECT min(e.occurred_at) FROM borrower_events AS e
            WHERE e.borrower_id = c.borrower_id AND e.kind = 'workplace_prohibited') AS workplace_prohibited_at
    FROM audit_contacts AS c
    JOIN places AS p ON p.borrower_id = c.borrower_id AND p.point = c.point
    WHERE c.channel IN ('sms', 'call', 'email')
)
SELECT k.*, f.avoid_places,
       CASE WHEN k.place = 'work' AND k.workplace_prohibited_at < k.sent_at
            THEN k.channel || ' to a work point after contact at work was prohibited'
            WHEN list_contains(f.avoid_places, k.place)
            THEN k.channel || ' to a ' || k.place || ' point the borrower asked us not to use'
       END AS violation
FROM placed AS k
ASOF LEFT JOIN prefs AS f ON f.borrower_id = k.borrower_id AND k.sent_at > f.occurred_at;
