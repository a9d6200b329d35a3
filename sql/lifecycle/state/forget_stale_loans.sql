-- Removes from state_loans the rows store_loans.sql is about to write again: every row when the whole
-- book was derived, else those of stale_loans; nothing unless state_basis.store.
-- Returns nothing. Part of store_state (record's transaction).
DELETE FROM state_loans
WHERE (SELECT store FROM state_basis)
  AND loan_id IN (SELECT loan_id FROM stale_loans);
