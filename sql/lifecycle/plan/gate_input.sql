-- gate_input for planning: today's candidates, each judged as a contact of $as_of. No contact point
-- yet: the gate picks the borrower's usable point on the channel (gate_subjects, point_routes).
CREATE OR REPLACE TEMP TABLE gate_input AS
SELECT *, $as_of::DATE AS planned_for_date, NULL::VARCHAR AS contact_point FROM candidates;
