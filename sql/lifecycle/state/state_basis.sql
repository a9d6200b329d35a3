-- state_basis (temp table, one row): how derive_state derives the installment state as of $now.
--   whole_book    no stored state can stand for $now (state_watermark: none yet, or derived at a
--                 later instant than $now, as when an older day is replayed): every loan (of
--                 pending_scope with $pending_only) is derived from its payments;
--   pending_only  the re-check before send: only the loans of pending_scope;
--   store         record may keep what was derived (store_*.sql): the whole book was derived for
--                 (not only the re-check's scope) and $now is not before the stored state, so the
--                 stored state only ever moves forward and re-running a day changes nothing;
--   through_event_id  the last 'payment' event recorded before the derivation read the log: the
--                 basis of the watermark record stores (store_watermark.sql). Taken here, not when
--                 storing, so a payment recorded between decide and record by another connection is
--                 above it and makes its loan stale the next time.
CREATE OR REPLACE TEMP TABLE state_basis AS
WITH w AS (SELECT max(derived_at) AS derived_at FROM state_watermark)
SELECT w.derived_at IS NULL OR $now::TIMESTAMPTZ < w.derived_at AS whole_book,
       $pending_only::BOOLEAN AS pending_only,
       NOT $pending_only AND (w.derived_at IS NULL OR $now::TIMESTAMPTZ >= w.derived_at) AS store,
       (SELECT coalesce(max(event_id), 0) FROM borrower_events WHERE kind = 'payment') AS through_event_id
FROM w;
