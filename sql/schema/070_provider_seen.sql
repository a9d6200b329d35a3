-- contact_attempts.provider_seen_at: when the first receipt (status callback or event, any status,
-- progress ones like queued / sent / processed included) about a contact was ingested, i.e. the
-- first proof that the provider holds the message; set once, never moved. Why: a send whose
-- answer was lost (outcome_unknown) is resolved by any receipt, and the reconciliation of SendGrid
-- sends (which has no list endpoint) reads it: a contact the provider never reported is the one
-- to look for. Idempotent.
ALTER TABLE contact_attempts ADD COLUMN IF NOT EXISTS provider_seen_at TIMESTAMPTZ;
