-- Removes every contact planned for $start or later: the plan's log of the replayed days (kept in
-- replay_recorded_attempts for the compare) and anything after them. Returns nothing.
DELETE FROM contact_attempts WHERE planned_for_date >= $start;
