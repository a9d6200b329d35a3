-- One export record's state, for `loan-comms arrangements export --resolve`: export_id, status,
-- tries, claimed_at, file_day, error (no row: no such record).
SELECT export_id, status, tries, claimed_at, file_day, error
FROM arrangement_exports
WHERE export_id = $export_id;
