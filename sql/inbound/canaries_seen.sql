-- Marks the canaries among the registered table _canary_events (attempt_id) as seen at $now (the
-- first time only): their events prove the provider's event webhook has caught up past them.
-- Returns nothing.
UPDATE provider_canaries SET seen_at = $now
WHERE seen_at IS NULL AND canary_id IN (SELECT attempt_id FROM _canary_events);
