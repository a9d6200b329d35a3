-- Refuse one record whose payload cannot go out (not a JSON object, personal data in it): failed
-- with the reason, never filed nor sent. Returns the number of rows changed (0 or 1).
UPDATE arrangement_exports
SET status = 'failed', error = $error
WHERE export_id = $export_id AND file_day IS NULL AND status = 'pending';
