-- gate_input for planning: today's candidates, each judged as a contact of $as_of.
CREATE OR REPLACE TEMP TABLE gate_input AS
SELECT *, $as_of::DATE AS planned_for_date FROM candidates;
