-- sent_once: Did any contact reach the borrower more than once, by the providers' own account? The
-- messages a provider holds for a contact are the ids on its delivery receipts (provider_receipts:
-- Twilio status callbacks carry our attempt id in their URL, SendGrid events in custom_args) and
-- the id recorded on the contact; SendGrid's event ids (`<id>.filter...`) are read up to the dot.
-- Two messages for one contact is a duplicate send: what reconciliation of unknown sends exists to
-- prevent (docs/delivery.md). One message recorded on two contacts is a send attributed twice.
-- Checked: every contact with a provider message id (recorded, or on a receipt).
-- Violation: more than one provider message for the contact, or its message also on another contact.
-- Blind spot: a contact with no receipt at all shows one id at most, so its duplicates cannot be
-- seen; _sent_once_unseen.sql counts them and the report shows them as unseen (verdict unchanged).
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH ids AS (
    SELECT attempt_id, split_part(provider_message_id, '.', 1) AS message
    FROM provider_receipts WHERE provider_message_id IS NOT NULL
    UNION
    SELECT attempt_id, split_part(provider_message_id, '.', 1)
    FROM contact_attempts WHERE provider_message_id IS NOT NULL AND provider IS DISTINCT FROM 'outbox'
),
shared AS (
    SELECT message, count(DISTINCT attempt_id) AS contacts FROM ids GROUP BY message
),
per_contact AS (
    SELECT i.attempt_id, count(DISTINCT i.message) AS messages, max(s.contacts) AS most_sharing
    FROM ids AS i JOIN shared AS s USING (message)
    GROUP BY i.attempt_id
)
SELECT a.attempt_id, a.borrower_id, a.loan_id, a.channel, a.step, a.provider, a.sent_at, a.resends,
       p.messages, p.most_sharing,
       CASE WHEN p.messages > 1
                THEN 'the provider holds ' || p.messages || ' messages for this one contact: sent more than once'
            WHEN p.most_sharing > 1
                THEN 'its provider message is recorded on ' || p.most_sharing || ' contacts: a send attributed twice'
       END AS violation
FROM per_contact AS p
JOIN contact_attempts AS a USING (attempt_id);
