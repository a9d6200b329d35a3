-- The stored reply texts the audit reads again (reply_opt_outs_honoured): every SMS or e-mail
-- reply event ($kinds) with its external id, borrower, the point it came from, the channel it came
-- on (sms for an sms_reply, email for an email_reply when the row names none), when, its text
-- (detail.text) and the borrower's timezone. Returns those rows; the text stays in the runner.
SELECT e.external_id, e.borrower_id, e.contact_point,
       coalesce(e.channel, CASE e.kind WHEN 'email_reply' THEN 'email' ELSE 'sms' END) AS channel,
       e.occurred_at,
       CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.text') END AS text,
       b.timezone
FROM borrower_events AS e
LEFT JOIN borrowers AS b ON b.borrower_id = e.borrower_id
WHERE list_contains($kinds, e.kind) AND e.external_id IS NOT NULL
ORDER BY e.occurred_at, e.external_id;
