-- Adds the follow-ups answering a reply (reply_follow_ups: opt-out confirmations and callbacks) to
-- candidates. Returns nothing.
INSERT INTO candidates
SELECT idempotency_key, borrower_id, loan_id, installment_no, channel, purpose, step, episode_id, severity,
       amount_due, due_date, dpd, promised_date
FROM reply_follow_ups;
