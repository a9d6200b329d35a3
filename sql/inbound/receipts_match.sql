-- receipt_matches: each receipt (registered table _receipts) with the contact it belongs to
-- (matched_id: by our attempt_id when the receipt carries it, else by provider_message_id), that
-- contact's current status, and is_winner = the one final receipt per contact that counts
-- (delivered beats failed, then the latest in the file); a progress receipt (status 'progress':
-- queued, sent, processed...) never wins: it moves nothing, it only proves the provider has the
-- message (receipts_seen.sql). Returns nothing.
CREATE OR REPLACE TEMP TABLE receipt_matches AS
WITH m AS (
    SELECT r.*, coalesce(a.attempt_id, b.attempt_id) AS matched_id, coalesce(a.status, b.status) AS current_status
    FROM _receipts AS r
    LEFT JOIN contact_attempts AS a ON a.attempt_id = r.attempt_id
    LEFT JOIN contact_attempts AS b ON a.attempt_id IS NULL AND b.provider_message_id = r.provider_message_id
)
SELECT *,
       matched_id IS NOT NULL AND status <> 'progress' AND row_number() OVER (
           PARTITION BY matched_id ORDER BY (status <> 'progress') DESC, (status = 'delivered') DESC, seq DESC) = 1
           AS is_winner
FROM m;
