-- gate_input for planning: today's candidates, each judged as a contact of $as_of. No contact point
-- yet, except a follow-up that must go to one point (reply_follow_ups: an opt-out's confirmation,
-- to the number it came from); for the rest the gate picks the borrower's usable point on the
-- channel (gate_subjects, point_routes).
CREATE OR REPLACE TEMP TABLE gate_input AS
SELECT c.*, $as_of::DATE AS planned_for_date, r.contact_point
FROM candidates AS c
LEFT JOIN reply_follow_ups AS r USING (idempotency_key);
