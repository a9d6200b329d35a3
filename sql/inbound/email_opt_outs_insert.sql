-- Email unsubscribes and spam reports from the provider's events (registered table
-- _email_opt_outs) become opt_out events on the email channel for the borrower we emailed,
-- once per provider event, borrower-wide (kinds.py), about the point the e-mail went to. Events
-- for a message we cannot find are skipped. Returns how many rows it added.
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, channel, source, external_id, recorded_at,
                             scope, contact_point)
SELECT a.borrower_id, a.loan_id, 'opt_out', o.occurred_at,
       json_object('via', 'email provider', 'event', o.event), 'email', 'provider', o.external_id, $now,
       'borrower', a.contact_point
FROM _email_opt_outs AS o
JOIN contact_attempts AS a
  ON (o.attempt_id IS NOT NULL AND a.attempt_id = o.attempt_id)
  OR (o.attempt_id IS NULL AND a.provider_message_id = o.provider_message_id)
WHERE a.channel = 'email'
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = o.external_id)
QUALIFY row_number() OVER (PARTITION BY o.external_id ORDER BY a.attempt_id) = 1;
