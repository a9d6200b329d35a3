-- The records to POST in this pass: pending ones, oldest first (export_id, payload, tries).
SELECT export_id, payload, tries
FROM arrangement_exports
WHERE status = 'pending'
ORDER BY created_at, export_id;
