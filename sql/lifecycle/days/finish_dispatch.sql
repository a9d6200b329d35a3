-- Marks $as_of as dispatched: its last contact window closed on a simulated-clock dispatch, so
-- every contact of the day is final (sent, failed or suppressed). Returns nothing.
UPDATE day_runs SET dispatched_at = $finished_at
WHERE as_of = $as_of::DATE AND dispatched_at IS NULL;
