-- Records new inbound SMS from reply_matches in borrower_events: the raw sms_reply (external_id =
-- MessageSid, detail {"text", "classified_as"}) and, when the text has a meaning, that event too
-- (opt_out with channel sms, hardship_request, dispute, promise_to_pay with detail.promised_date
-- and amount; external_id = MessageSid:kind). Both carry contact_point, the number that sent the
-- reply: an opt_out from it closes SMS to that number for every borrower on it (point_flags).
-- Known MessageSids are skipped. Returns nothing.
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, amount, channel, source, external_id,
                             recorded_at, contact_point)
SELECT borrower_id, loan_id, 'sms_reply', occurred_at, detail_reply, NULL, 'sms', 'sms_reply', external_id, $now,
       contact_point
FROM reply_matches
WHERE borrower_id IS NOT NULL AND NOT already
UNION ALL
SELECT borrower_id, loan_id, kind, occurred_at, detail_kind, amount, 'sms', 'sms_reply', external_id || ':' || kind, $now,
       contact_point
FROM reply_matches AS m
WHERE borrower_id IS NOT NULL AND NOT already AND kind IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = m.external_id || ':' || m.kind);
