-- Stores the shard key in borrower_shards (sql/schema/107_borrower_shards.sql; key_clear.sql
-- emptied it first, in the same transaction): every borrower of the book, and every borrower only an event
-- or a contact names, with its cluster (temp table shard_labels, else itself) and its shard
-- md5_number(cluster_id) % $shards (in UHUGEINT: modulo an INTEGER would go through DOUBLE and lose
-- the low bits). Returns the count of borrowers stored.
INSERT INTO borrower_shards (borrower_id, cluster_id, shard, shards, key_version, computed_at)
SELECT u.borrower_id, coalesce(l.cluster_id, u.borrower_id) AS cluster_id,
       (md5_number(coalesce(l.cluster_id, u.borrower_id)) % $shards::UHUGEINT)::INTEGER AS shard,
       $shards, $key_version, $computed_at
FROM (SELECT borrower_id FROM borrowers UNION SELECT borrower_id FROM shard_labels) AS u
LEFT JOIN shard_labels AS l USING (borrower_id);
