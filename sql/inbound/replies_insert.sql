-- Records the events of understood texts (registered table _text_events, built by
-- loan_comms/inbound/text_events.py): the raw text (sms_reply, email_reply, agent_note), one event
-- per clear intent, review_opened / review_resolved, and the intents a reviewer applied. Each
-- external_id is recorded once, ever (a re-ingested file or a second resolve adds nothing).
-- Returns how many rows it added.
-- recorded_at = $now (the wall clock, or the simulator's instant).
-- Scope (loan_comms/policy/kinds.py): the loan of a text is only inferred (the last message), so
-- every kind is recorded borrower-wide except a promise, which is an amount on a loan
-- (tests/policy/test_kinds.py holds these values to the catalog). Issue 11 case 6: a DISPUTE reply
-- pauses every loan of the borrower. A wrong_number is borrower-scoped with its contact_point set.
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, amount, channel, source, external_id,
                             recorded_at, scope, contact_point)
SELECT borrower_id, loan_id, kind, occurred_at, detail, amount, channel, source, external_id, $now,
       CASE WHEN kind = 'promise_to_pay' THEN 'loan' ELSE 'borrower' END, contact_point
FROM (SELECT * FROM _text_events QUALIFY row_number() OVER (PARTITION BY external_id) = 1) AS t
WHERE NOT EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = t.external_id);
