-- Moves state_watermark to what was just stored: derived at $now, having seen every 'payment' event
-- up to the one state_basis.sql noted before the derivation read the log (later ones, such as the
-- day's feed arrivals recorded by record, make their loans stale the next time: stale_loans.sql).
-- Nothing unless state_basis.store. Returns nothing. Last step of store_state.
INSERT OR REPLACE INTO state_watermark (id, derived_at, through_event_id)
SELECT 1, $now::TIMESTAMPTZ, through_event_id
FROM state_basis
WHERE store;
