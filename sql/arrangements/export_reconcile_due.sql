-- The unknown records whose claim is at least reconcile_after_seconds old ($cutoff = now - that):
-- export_id, tries, claimed_at, oldest first. Each is looked up before it may ever be sent again.
SELECT export_id, tries, claimed_at
FROM arrangement_exports
WHERE status = 'unknown' AND claimed_at <= $cutoff
ORDER BY claimed_at, export_id;
