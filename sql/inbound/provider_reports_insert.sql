-- What a provider tells us about a contact we sent (registered table _provider_reports, built by
-- loan_comms/inbound/provider_reports.py) becomes a borrower_events row for that contact's
-- borrower, on the contact's channel, about the point it went to, source 'provider':
--   opt_out       the recipient unsubscribed at the provider: SendGrid unsubscribe, group
--                 unsubscribe, spam report or a drop for an unsubscribed / spam-reporting address;
--                 Twilio error 21610 (the number texted STOP to our sender), on send or in a status
--                 callback. Borrower-wide and about that point (kinds.py), like a STOP reply; never
--                 confirmed by SMS (reply_follow_ups.sql confirms replies only, and skips
--                 detail.decided_by 'provider:...').
--   wrong_number  the address reaches no one: a SendGrid invalid-address bounce or a drop for an
--                 address that bounced before. point_flags.sql marks the point: nothing goes to it
--                 for any borrower until one verifies it again (point_unusable; audit
--                 wrong_number_honoured).
-- The contact is found by our attempt_id when the report carries it, else by the provider's
-- message id; a report about a contact we cannot find (or of another channel) is skipped. The
-- point: the contact's contact_point, else the borrower's own address on that channel (contacts
-- planned before points were recorded). external_id: the report's own (a SendGrid sg_event_id),
-- else key_prefix || attempt_id (the same contact reported twice, by the send and by a callback,
-- records once). Each external_id is recorded once, ever: re-ingesting adds nothing.
-- Returns (kind) of every row it added.
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, channel, source, external_id, recorded_at,
                             scope, contact_point)
WITH found AS (
    SELECT a.borrower_id, a.loan_id, o.kind, o.occurred_at, o.detail, a.channel,
           coalesce(o.external_id, o.key_prefix || a.attempt_id) AS external_id,
           coalesce(a.contact_point,
                    CASE a.channel WHEN 'email' THEN point_id('email', lower(trim(b.email)))
                                   ELSE point_id('phone', b.phone_e164) END) AS contact_point
    FROM _provider_reports AS o
    JOIN contact_attempts AS a
      ON (o.attempt_id IS NOT NULL AND a.attempt_id = o.attempt_id)
      OR (o.attempt_id IS NULL AND a.provider_message_id = o.provider_message_id)
    JOIN borrowers AS b ON b.borrower_id = a.borrower_id
    WHERE a.channel = o.channel
)
SELECT borrower_id, loan_id, kind, occurred_at, detail, channel, 'provider', external_id, $now, 'borrower',
       contact_point
FROM found AS f
WHERE NOT EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = f.external_id)
QUALIFY row_number() OVER (PARTITION BY external_id ORDER BY occurred_at) = 1
RETURNING kind;
