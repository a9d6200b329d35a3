-- Empties borrower_shards before key_store.sql writes the new key (one transaction: a reader sees
-- the old key or the new one, whole). Returns the count of rows removed.
DELETE FROM borrower_shards;
