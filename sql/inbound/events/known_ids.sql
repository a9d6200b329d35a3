-- The external_ids of the temp table events_batch already in borrower_events (recorded by an earlier
-- ingest): what a re-ingested file finds already known, counted per row by events.py _land.
SELECT DISTINCT e.external_id
FROM borrower_events AS e
WHERE e.external_id IN (SELECT external_id FROM events_batch);
