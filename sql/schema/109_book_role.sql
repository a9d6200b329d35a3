-- What this file is, once a book has been split into shards (loan_comms/shards/split.py): empty for a
-- single book. The book that was split gets one row 'split' (its borrowers are now planned from the
-- shards; planning or sending it too would contact them twice), each shard file one row 'shard' (a
-- shard alone is not a book: agents and the provider's rate serve every shard). The single-book
-- commands and flows refuse a file with a row here (db.check_single_book), naming `loan-comms shards`.
CREATE TABLE IF NOT EXISTS book_role (
    role       VARCHAR NOT NULL CHECK (role IN ('split', 'shard')),
    directory  VARCHAR NOT NULL,     -- the sharded book's folder, as the split saw it (absolute)
    shard      INTEGER,              -- 'shard': which one (0-based)
    shards     INTEGER NOT NULL,     -- K
    marked_at  TIMESTAMPTZ NOT NULL
);
