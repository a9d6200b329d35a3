-- The attempt ids the plans and dispatches of $start and later made (every contact planned for a
-- day >= $start): what the rest of the roll-back removes rows of. Returns nothing.
CREATE OR REPLACE TEMP TABLE replay_dropped AS
SELECT attempt_id FROM contact_attempts WHERE planned_for_date >= $start;
