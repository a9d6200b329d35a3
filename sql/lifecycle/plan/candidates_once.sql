-- One row per idempotency key in candidates, once every planner has added its rows: a key's first
-- proposal wins (the planners run in decide's order, and a planner's rows are added in the order it
-- gives them, so the lowest rowid), which is what their INSERT ... ON CONFLICT DO NOTHING into a
-- keyed table kept, without the key index (create_candidates.sql). Planners that read candidates
-- meanwhile only ask whether a row exists. Returns nothing.
DELETE FROM candidates
WHERE rowid NOT IN (SELECT min(rowid) FROM candidates GROUP BY idempotency_key);
