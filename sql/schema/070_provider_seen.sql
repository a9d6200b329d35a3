-- contact_attempts.provider_seen_at: when the first receipt of any kind (a Twilio status callback,
-- a SendGrid event) for the contact was ingested. Idempotent.
ALTER TABLE contact_attempts ADD COLUMN IF NOT EXISTS provider_seen_at TIMESTAMPTZ;
