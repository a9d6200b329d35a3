-- Stores the wording of one rendered batch (temp table rendered_batch). Returns nothing.
INSERT INTO contact_messages (attempt_id, subject, body_text, body_html)
SELECT substr(sha256(r.idempotency_key), 1, 20), r.subject, r.body_text, r.body_html
FROM rendered_batch AS r
WHERE r.error IS NULL
  AND NOT EXISTS (SELECT 1 FROM contact_messages AS m WHERE m.attempt_id = substr(sha256(r.idempotency_key), 1, 20));
