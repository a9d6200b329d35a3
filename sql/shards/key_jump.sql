-- Pointer jumping: each linked borrower takes its label's own label when smaller (a label is a
-- borrower of the same cluster), so a long chain of shared phones needs log(length) rounds, not
-- length. Returns the count of labels lowered.
UPDATE shard_labels AS l
SET cluster_id = j.cluster_id
FROM shard_labels AS j
WHERE j.borrower_id = l.cluster_id AND j.cluster_id < l.cluster_id;
