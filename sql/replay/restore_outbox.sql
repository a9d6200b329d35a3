-- Puts back the recorded outbox row of each contact of $day the replay made and the recorded dispatch
-- sent (the address it went to, the provider's id), with the replay's own wording. Returns nothing.
INSERT INTO outbox_messages (idempotency_key, attempt_id, channel, recipient, subject, body_text, body_html,
                             provider_message_id, accepted_at)
SELECT o.idempotency_key, o.attempt_id, o.channel, o.recipient, m.subject, m.body_text, m.body_html,
       o.provider_message_id, o.accepted_at
FROM replay_recorded_outbox AS o
JOIN contact_attempts AS a USING (attempt_id)
LEFT JOIN contact_messages AS m USING (attempt_id)
WHERE a.planned_for_date = $day AND a.status IN ('sent', 'delivered') AND a.sent_at IS NOT NULL
ON CONFLICT DO NOTHING;
