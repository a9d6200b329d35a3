-- shard_labels: a label per linked borrower (temp table shard_links), to start with its own id;
-- key_spread.sql and key_jump.sql lower it to the smallest borrower_id of its cluster.
CREATE OR REPLACE TEMP TABLE shard_labels AS
SELECT DISTINCT borrower_id, borrower_id AS cluster_id FROM shard_links;
