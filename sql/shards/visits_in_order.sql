-- The visits every shard exported to plan today (Parquet files $files: sql/visits/plan_inputs.sql's
-- rows and the shard they came from), in the order one book would plan them: plan_inputs.sql's own
-- ORDER BY, highest severity, then amount, then the key.
SELECT * FROM read_parquet($files) ORDER BY severity DESC, amount_due DESC NULLS LAST, idempotency_key;
