-- Keeps every matched receipt of receipt_matches in provider_receipts (the evidence the audit rule
-- sent_once reads), keyed by what identifies the provider's event (receipt_key from receipts.py:
-- Twilio's MessageSid and raw MessageStatus; SendGrid's sg_event_id, else sg_message_id, event and
-- timestamp) and the contact it matched: a re-ingested file adds nothing, even when the receipt has
-- no time of its own (an anti-join, not ON CONFLICT: duckdb's conflict path is slow on a large
-- table). Returns nothing.
INSERT INTO provider_receipts (receipt_key, attempt_id, provider_message_id, status, event_at, ingested_at)
SELECT DISTINCT ON (k.logged_key) k.logged_key, k.matched_id, k.provider_message_id, k.status, k.event_at, $now
FROM (SELECT *, receipt_key || '|' || matched_id AS logged_key
      FROM receipt_matches WHERE matched_id IS NOT NULL) AS k
WHERE NOT EXISTS (SELECT 1 FROM provider_receipts AS p WHERE p.receipt_key = k.logged_key)
ORDER BY k.logged_key, k.seq;
