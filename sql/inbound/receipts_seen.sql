-- provider_seen_at = $now for every contact a receipt in receipt_matches belongs to that had none:
-- the first time any receipt about it (any status, progress ones included) was ingested, the first
-- proof the provider holds the message. Never moved once set (a re-ingested file changes nothing);
-- the reconciliation of SendGrid sends reads it. Returns nothing.
UPDATE contact_attempts AS a
SET provider_seen_at = $now
WHERE a.provider_seen_at IS NULL
  AND a.attempt_id IN (SELECT matched_id FROM receipt_matches WHERE matched_id IS NOT NULL);
