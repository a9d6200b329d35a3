-- The first ten ids (attempt_id, else the provider's message id) of receipts in receipt_matches
-- that match no contact, for the ingest report. Returns (id), sorted.
SELECT DISTINCT coalesce(attempt_id, provider_message_id) FROM receipt_matches
WHERE matched_id IS NULL ORDER BY 1 LIMIT 10;
