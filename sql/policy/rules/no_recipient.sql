-- no_recipient: the borrower has no address on the contact's channel (no phone for sms or call,
-- no email), read through the `recipients` view (sql/schema/061_contact_points.sql), the same one
-- dispatch sends to. Letters and visits are not addressed here.
-- Why: a contact that can never be made is recorded as such (and counts as a taken ladder step),
-- rather than planned and failed at send time. Audit: third_parties (only the borrower's own
-- address is ever used).
-- The recipients are read as point_routes holds them (sql/lifecycle/state/point_routes.sql: every
-- (borrower, channel, point) of the view, for every borrower judged), not by deriving the view again
-- over the whole book.
SELECT g.idempotency_key, 'no_recipient' AS reason
FROM gate_subjects AS g
WHERE g.channel IN ('sms', 'call', 'email')
  AND NOT EXISTS (SELECT 1 FROM point_routes AS r WHERE r.borrower_id = g.borrower_id AND r.channel = g.channel);
