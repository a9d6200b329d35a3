-- Stores refused inbound records (registered table _quarantine_rows: receipts, replies, call
-- outcomes, operator events) in import_quarantine with their file, line, kind (entity), reason and
-- raw text; a record already quarantined from the same file, line and kind with the same raw text
-- is not added again, so re-ingesting a file is idempotent. Returns how many rows it added.
INSERT INTO import_quarantine (source_file, source_line, entity, record_id, reason, raw)
SELECT q.source_file, q.source_line, q.entity, q.record_id, q.reason, q.raw
FROM _quarantine_rows AS q
WHERE NOT EXISTS (
    SELECT 1 FROM import_quarantine AS i
    WHERE i.source_file = q.source_file AND i.source_line = q.source_line AND i.entity = q.entity
      AND i.raw IS NOT DISTINCT FROM q.raw
);
