-- provider_receipts: every delivery receipt (Twilio status callback, SendGrid event) matched to a
-- contact, as the provider reported it: the evidence of which provider messages exist for which
-- contact. The audit rule sent_once reads it: two provider messages for one contact means the
-- borrower got it twice, whatever the log of sends says. Keyed by the provider's event (Twilio:
-- MessageSid and the raw MessageStatus; SendGrid: sg_event_id, else message, event and timestamp)
-- and the contact, so re-ingesting a file adds nothing. Idempotent.
CREATE TABLE IF NOT EXISTS provider_receipts (
    receipt_key          VARCHAR PRIMARY KEY,
    attempt_id           VARCHAR NOT NULL,
    provider_message_id  VARCHAR,
    status               VARCHAR,        -- delivered | failed | progress
    event_at             TIMESTAMPTZ,
    ingested_at          TIMESTAMPTZ NOT NULL
);
