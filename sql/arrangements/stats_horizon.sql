-- stats_horizon: the last day the analytics can speak for: the newest local day the daily run
-- planned (day_runs), else the newest day any contact was planned for, else today (UTC).
-- Outcomes after it are not known yet: an offer whose link is still open on it is 'open', and a
-- cure window that reaches past it is incomplete. Returns one DATE.
SELECT coalesce((SELECT max(as_of) FROM day_runs WHERE planned_at IS NOT NULL),
                (SELECT max(planned_for_date) FROM contact_attempts),
                current_date) AS horizon;
