-- The day's decisions (temp table decisions, filled by sql/policy/decide.sql), as decide() returns them.
SELECT * FROM decisions;
