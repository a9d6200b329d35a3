-- Moves state_watermark to what was just stored: derived at $now, having seen every 'payment' event
-- recorded so far (the feed's arrivals were ingested just before, in the same transaction).
-- Nothing unless state_basis.store. Returns nothing. Last step of store_state.
INSERT OR REPLACE INTO state_watermark (id, derived_at, through_event_id)
SELECT 1, $now::TIMESTAMPTZ, coalesce((SELECT max(event_id) FROM borrower_events WHERE kind = 'payment'), 0)
FROM state_basis
WHERE store;
