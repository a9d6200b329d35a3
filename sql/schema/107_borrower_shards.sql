-- borrower_shards: which shard of a sharded book each borrower lives in (loan_comms/shards/key.py).
-- cluster_id is the smallest borrower_id of the borrower's contact-point cluster: borrowers linked,
-- directly or through others, by any phone or e-mail they share (borrower_points: the borrower row's
-- own phone and e-mail and borrower_contact_points, third parties and family lines included; the
-- points of their events and contacts: learned, wrong, reassigned numbers, a STOP from a number).
-- shard = md5_number(cluster_id) % shards: a stable hash (md5), never a process's hash(). Every
-- decision the policy takes about a borrower reads only that borrower's rows and the rows of the
-- points they hold (caps and opt-outs per point), so a cluster planned alone decides exactly what
-- the whole book would. Written by `loan-comms shards split` (key_version: how it was computed);
-- empty in an unsharded book. One row per borrower, written whole each time (no index to keep:
-- replacing the key of 870k borrowers through a primary key took 9 s, without one 0.3 s). Ids only.
CREATE TABLE IF NOT EXISTS borrower_shards (
    borrower_id  VARCHAR NOT NULL,
    cluster_id   VARCHAR NOT NULL,
    shard        INTEGER NOT NULL,
    shards       INTEGER NOT NULL,                -- K, the number of shards it was computed for
    key_version  INTEGER NOT NULL,
    computed_at  TIMESTAMPTZ NOT NULL
);
