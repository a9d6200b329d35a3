-- The records of one day's export files ($day), in file order: export_id, arrangement_id, event,
-- created_at, payload. The files are rebuilt from these rows alone, so every rewrite gives the same bytes.
SELECT export_id, arrangement_id, event, created_at, payload
FROM arrangement_exports
WHERE file_day = $day
ORDER BY created_at, export_id;
