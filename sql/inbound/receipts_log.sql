-- Keeps every matched receipt of receipt_matches in provider_receipts (the evidence the audit rule
-- sent_once reads), keyed by provider message id, status and time: a re-ingested file adds
-- nothing (an anti-join, not ON CONFLICT: duckdb's conflict path is slow on a large table).
-- Returns nothing.
INSERT INTO provider_receipts (receipt_key, attempt_id, provider_message_id, status, event_at, ingested_at)
SELECT DISTINCT ON (k.receipt_key) k.receipt_key, k.matched_id, k.provider_message_id, k.status, k.event_at, $now
FROM (SELECT *, coalesce(provider_message_id, '?') || '|' || coalesce(status, '?') || '|'
                || coalesce(strftime(event_at, '%Y-%m-%dT%H:%M:%S.%f'), '?') || '|' || matched_id AS receipt_key
      FROM receipt_matches WHERE matched_id IS NOT NULL) AS k
WHERE NOT EXISTS (SELECT 1 FROM provider_receipts AS p WHERE p.receipt_key = k.receipt_key);
