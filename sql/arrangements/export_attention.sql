-- The records an operator must look at: failed ones, and unknown ones past reconcile_after_seconds
-- ($cutoff = now - that) that no lookup could settle. export_id, status, tries, claimed_at, error.
SELECT export_id, status, tries, claimed_at, error
FROM arrangement_exports
WHERE status = 'failed' OR (status IN ('unknown', 'sending') AND claimed_at <= $cutoff)
ORDER BY claimed_at NULLS FIRST, export_id;
