-- The texts complaint themes are read from, the whole history (the themes are re-tagged each run):
-- survey comments (source 'survey', ref the invitation token) and borrowers' SMS and e-mail
-- replies (source 'sms_reply' / 'email_reply', ref the event id, text = detail.text).
-- Columns: source, ref, week (Monday of the UTC day it was written), language (the invitation's
-- for a comment, NULL for a reply), text. PII: the text never leaves the process (themes only).
SELECT 'survey' AS source, a.token AS ref, date_trunc('week', a.answered_at AT TIME ZONE 'UTC')::DATE AS week,
       i.language, a.comment AS text
FROM survey_answers AS a LEFT JOIN survey_invitations AS i USING (token)
WHERE nullif(trim(a.comment), '') IS NOT NULL
UNION ALL
SELECT e.kind, e.event_id::VARCHAR, date_trunc('week', e.occurred_at AT TIME ZONE 'UTC')::DATE,
       NULL, json_extract_string(e.detail, '$.text')
FROM borrower_events AS e
WHERE e.kind IN ('sms_reply', 'email_reply')
  AND nullif(trim(json_extract_string(e.detail, '$.text')), '') IS NOT NULL;
