-- Empties state_installments (incremental state, sql/schema/110_state_incremental.sql): it cannot be rolled back to
-- the start of $start, and an empty cache makes the first replayed plan derive the whole book
-- (state_basis.whole_book), the same answer. Returns nothing.
DELETE FROM state_installments;
