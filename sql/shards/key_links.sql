-- shard_links: the (borrower_id, point_id) pairs that tie borrowers together: every contact point
-- held by two borrowers or more, with each borrower holding it. A point is held when it is one of
-- the borrower's points (the temp view borrower_points: the borrower row's phone and e-mail and
-- borrower_contact_points, normalized and hashed by point_id() exactly as the policy matches
-- them), or when an event or a contact of the borrower names it (borrower_events.contact_point:
-- a STOP or a wrong number from that phone; contact_attempts.contact_point: where a contact went).
-- Why: caps, opt-outs and wrong numbers belong to the point as well as to the person, so every
-- borrower who shares one must be decided in the same shard (loan_comms/shards/key.py).
CREATE OR REPLACE TEMP TABLE shard_links AS
WITH held AS (
    SELECT borrower_id, point_id FROM borrower_points WHERE point_id IS NOT NULL
    UNION
    SELECT borrower_id, contact_point FROM borrower_events WHERE contact_point IS NOT NULL
    UNION
    SELECT borrower_id, contact_point FROM contact_attempts WHERE contact_point IS NOT NULL
),
shared AS (
    SELECT point_id FROM held GROUP BY point_id HAVING count(*) > 1
)
SELECT borrower_id, point_id FROM held WHERE point_id IN (SELECT point_id FROM shared);
