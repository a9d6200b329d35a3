-- Moves sent contacts to delivered (delivered_at = the receipt's time) or failed (error = the
-- provider's reason) from the winning receipt in receipt_matches. Only `sent` rows move: status
-- never goes back, so applying the same receipts twice changes nothing. Returns nothing.
UPDATE contact_attempts AS a
SET status = m.status,
    delivered_at = CASE WHEN m.status = 'delivered' THEN m.event_at ELSE a.delivered_at END,
    error = CASE WHEN m.status = 'failed' THEN m.error ELSE a.error END,
    updated_at = $now
FROM receipt_matches AS m
WHERE a.attempt_id = m.matched_id AND m.is_winner AND a.status = 'sent';
