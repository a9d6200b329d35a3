-- last_planned_day: the newest local day whose plan completed (day_runs.planned_at set), or NULL on
-- a book never planned: the day a readout is for when none is given (a simulated book's days are
-- not the wall clock's).
SELECT max(as_of) FROM day_runs WHERE planned_at IS NOT NULL;
