-- contact_attempts.outcome_unknown: dispatch sent the request but never learned whether the
-- provider accepted it (no answer in time, connection lost after sending, a 5xx, an unreadable
-- 2xx). Such a contact is recorded as sent with no provider_message_id and is never re-sent
-- blindly; a receipt may still move it to delivered or failed. Idempotent.
ALTER TABLE contact_attempts ADD COLUMN IF NOT EXISTS outcome_unknown BOOLEAN DEFAULT false;
