-- What the shard key found (temp table shard_labels): linked borrowers, clusters of two or more,
-- and the size of the largest cluster (a cluster is planned in one shard: its size bounds a shard).
SELECT count(*) AS linked, count(DISTINCT cluster_id) AS clusters,
       coalesce((SELECT max(n) FROM (SELECT count(*) AS n FROM shard_labels GROUP BY cluster_id)), 0) AS largest
FROM shard_labels;
