-- The calls every shard exported to assign today (Parquet files $files: sql/calls/assign/calls.sql's
-- rows and the shard they came from), in the order one book would assign them: calls.sql's own
-- ORDER BY, highest priority first, then the key. Why: the greedy gives the same slots to the same
-- calls whether the book is one file or K shards.
SELECT * FROM read_parquet($files) ORDER BY priority_score DESC, idempotency_key;
