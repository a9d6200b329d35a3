-- The recorded log of the replayed days, kept in the scratch database before the plan's own rows
-- are removed: every contact_attempts row planned for $start..$end, as the book holds it (the compare
-- and the outcome copy read it). Returns nothing.
CREATE OR REPLACE TABLE replay_recorded_attempts AS
SELECT * FROM contact_attempts WHERE planned_for_date BETWEEN $start AND $end;
