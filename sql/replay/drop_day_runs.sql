-- Removes the ledger rows of $start and later, so the replay plans those days as new ones (and
-- $start is the newest day: it may move derived state). Returns nothing.
DELETE FROM day_runs WHERE as_of >= $start;
