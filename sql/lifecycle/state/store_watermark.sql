-- Moves state_watermark to what was just stored: derived at $now, having seen every 'payment' event
-- up to through_event_id. The derivation saw the events recorded before it read the log
-- (state_basis.through_event_id) and, as unrecorded payments, the feed rows record has just turned
-- into events and stamped ingested_at = $now (ingest_payments.sql, mark_payments_ingested.sql, same
-- transaction). Any other payment event above the basis (recorded meanwhile by another connection)
-- was not seen: the watermark stops just below the first of them, so its loan is stale the next
-- time (stale_loans.sql). Nothing unless state_basis.store. Returns nothing. Last step of store_state.
INSERT OR REPLACE INTO state_watermark (id, derived_at, through_event_id)
SELECT 1, $now::TIMESTAMPTZ,
       coalesce((SELECT min(e.event_id) - 1
                 FROM borrower_events AS e
                 WHERE e.kind = 'payment' AND e.event_id > b.through_event_id
                   AND e.external_id NOT IN (SELECT 'payment:' || f.payment_id FROM payment_feed AS f
                                             WHERE f.ingested_at = $now::TIMESTAMPTZ)),
                (SELECT coalesce(max(event_id), 0) FROM borrower_events WHERE kind = 'payment'))
FROM state_basis AS b
WHERE b.store;
