-- The review queue as of $now for the reviewers' list: review_items (sql/lifecycle/state/review_items.sql,
-- run first with the same $now: the definition the policy reads) with the text. Returns (review_id,
-- borrower_id, loan_id, channel (the channel it came on; NULL when nothing pauses), channels (those
-- that pause now), contact_point,
-- opened_at, deadline, age_hours, overdue (deadline passed), reason ('ambiguous' | 'needs_answer'),
-- candidates (JSON list of {intent, confidence, rule}), source, text (the text itself: PII, for the
-- reviewer's screen only, masked there)), oldest deadline first.
SELECT q.review_id, q.borrower_id, q.loan_id, q.channel, q.channels, q.contact_point, q.opened_at, q.deadline,
       round(epoch($now::TIMESTAMPTZ - q.opened_at) / 3600.0, 1) AS age_hours,
       q.overdue, q.reason, q.candidates, q.source,
       json_extract_string(t.detail, '$.text') AS text
FROM review_items AS q
LEFT JOIN borrower_events AS t ON t.external_id = q.review_id
ORDER BY q.deadline, q.review_id;
