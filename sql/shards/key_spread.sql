-- One round of min-label propagation over shared points: each linked borrower takes the smallest
-- label of any borrower sharing a point with it, when smaller than its own. Returns the count of
-- borrowers whose label went down (0: nothing left to spread). Why set-wise: one statement per round
-- over the linked borrowers only (a few percent of the book), a handful of rounds for real clusters.
UPDATE shard_labels AS l
SET cluster_id = m.cluster_id
FROM (
    SELECT k.borrower_id, min(p.cluster_id) AS cluster_id
    FROM shard_links AS k
    JOIN (SELECT s.point_id, min(x.cluster_id) AS cluster_id
          FROM shard_links AS s JOIN shard_labels AS x USING (borrower_id)
          GROUP BY s.point_id) AS p USING (point_id)
    GROUP BY k.borrower_id
) AS m
WHERE l.borrower_id = m.borrower_id AND m.cluster_id < l.cluster_id;
