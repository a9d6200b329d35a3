-- Records new inbound SMS from reply_matches in borrower_events: the raw sms_reply (external_id =
-- MessageSid, detail {"text", "classified_as"}) and, when the text has a meaning, that event too
-- (opt_out with channel sms, hardship_request, dispute, promise_to_pay with detail.promised_date
-- and amount; external_id = MessageSid:kind). Known MessageSids are skipped. Returns nothing.
-- Both carry contact_point, the number that sent the reply: an opt_out from it closes SMS to that
-- number for every borrower on it (point_flags).
-- Scope (loan_comms/policy/kinds.py): the loan of a reply is only inferred (the last message), so
-- every kind is recorded borrower-wide except a promise, which is an amount on a loan
-- (tests/policy/test_kinds.py holds these values to the catalog). Issue 11 case 6: a DISPUTE reply
-- pauses every loan of the borrower.
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, amount, channel, source, external_id,
                             recorded_at, scope, contact_point)
SELECT borrower_id, loan_id, 'sms_reply', occurred_at, detail_reply, NULL, 'sms', 'sms_reply', external_id, $now,
       'borrower', contact_point
FROM reply_matches
WHERE borrower_id IS NOT NULL AND NOT already
UNION ALL
SELECT borrower_id, loan_id, kind, occurred_at, detail_kind, amount, 'sms', 'sms_reply', external_id || ':' || kind, $now,
       CASE WHEN kind = 'promise_to_pay' THEN 'loan' ELSE 'borrower' END, contact_point
FROM reply_matches AS m
WHERE borrower_id IS NOT NULL AND NOT already AND kind IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = m.external_id || ':' || m.kind);
