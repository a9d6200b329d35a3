-- _sent_once_unseen: contacts handed to Twilio or SendGrid that have no receipt at all (no
-- StatusCallback or event webhook reaching us?): sent_once cannot see duplicates among them.
-- sent_once counts the messages the provider holds for a contact from its receipts (plus the id
-- recorded on the contact); a contact with no receipt shows at most that one id, so a second
-- message Twilio or SendGrid created for it would go unnoticed. Counted: a contact with sent_at
-- whose provider may hold a message (an id recorded, or an outcome still unknown), with no row in
-- provider_receipts. A refused request (no id, outcome known) created nothing and is not counted.
-- Returns one row: unseen.
SELECT count(*) AS unseen
FROM contact_attempts AS a
WHERE a.provider IN ('twilio', 'sendgrid') AND a.sent_at IS NOT NULL
  AND (a.provider_message_id IS NOT NULL OR coalesce(a.outcome_unknown, false))
  AND NOT EXISTS (SELECT 1 FROM provider_receipts AS r WHERE r.attempt_id = a.attempt_id);
