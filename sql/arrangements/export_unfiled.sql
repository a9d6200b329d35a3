-- The export records not yet written to a day's file (and not refused): export_id, payload, in the
-- order they are filed (created_at, export_id). The pass checks each payload before filing it.
SELECT export_id, payload
FROM arrangement_exports
WHERE file_day IS NULL AND status <> 'failed'
ORDER BY created_at, export_id;
