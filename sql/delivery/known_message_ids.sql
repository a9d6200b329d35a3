-- Returns the provider message ids among $ids that are already recorded on a contact: a message
-- the provider lists that is already some contact's cannot prove an unresolved one was sent.
SELECT provider_message_id FROM contact_attempts
WHERE provider_message_id IS NOT NULL AND list_contains($ids::VARCHAR[], provider_message_id);
