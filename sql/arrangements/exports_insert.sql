-- Queues export records for the core banking system (registered _arr_exports: export_id
-- '<arrangement_id>:accepted', the JSON payload), each export_id once, status pending. Returns nothing.
INSERT INTO arrangement_exports (export_id, arrangement_id, event, payload, created_at)
SELECT r.export_id, r.arrangement_id, r.event, r.payload, r.created_at FROM _arr_exports AS r
WHERE NOT EXISTS (SELECT 1 FROM arrangement_exports AS x WHERE x.export_id = r.export_id);
