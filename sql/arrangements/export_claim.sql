-- Claim one pending record before its request leaves (committed on its own, autocommit): 'sending',
-- claimed_at = $now, tries + 1. Returns rows changed: 0 means it was not pending (nothing is sent).
UPDATE arrangement_exports
SET status = 'sending', claimed_at = $now, tries = tries + 1, error = NULL
WHERE export_id = $export_id AND status = 'pending';
