-- The first borrower_events.event_id a shard may hand out: past every id of the book and past its
-- sequence (ids handed out and rolled back are never reused). Each shard i then counts
-- first + i, first + i + K, ...: ids stay unique across the union of the shards.
SELECT greatest(coalesce((SELECT max(event_id) FROM borrower_events), 0),
                coalesce((SELECT max(last_value) FROM duckdb_sequences()
                          WHERE sequence_name = 'borrower_events_seq' AND database_name = current_database()), 0)) + 1;
