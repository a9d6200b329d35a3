-- awaiting_review: a reply from the borrower is waiting in the review queue (a review_opened
-- event, no review_resolved for it as of $now) and the contact's channel is one of the item's
-- (the channel the reply came on plus every channel its candidates are about, less those a later
-- clear choice from the same point settled: review_items.sql): collection contacts on that channel
-- pause for every loan of the borrower; reminders, confirmations and the other channels go on. A
-- question's item pauses no collection. A survey waits while ANY item of the borrower is open (on
-- any channel, a question included): nobody is asked "how did we do?" while a person has yet to
-- read what they wrote.
-- Why: a reply we could not read with confidence may be an opt-out, a dispute or a hardship
-- request (TCPA 2024: revocation by any reasonable means); while a person decides, the safe
-- action applies. Audit: reply_opt_outs_honoured (past the deadline), and the reply's own
-- meaning once a reviewer records it.
SELECT g.idempotency_key, 'awaiting_review' AS reason
FROM gate_subjects AS g
WHERE (g.is_collection AND list_contains(g.awaiting_review_channels, g.channel))
   OR (g.purpose = 'survey' AND g.review_open);
