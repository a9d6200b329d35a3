-- The review queue as of $now: every review_opened event recorded by then whose review_id has no
-- review_resolved by then (both are events: the log stays append-only, and the queue of any past
-- instant can be re-derived). Returns (review_id, borrower_id, loan_id, channel (the channel that
-- pauses; NULL when nothing pauses), contact_point, opened_at, deadline, age_hours, overdue
-- (deadline passed), reason ('ambiguous' | 'needs_answer'), candidates (JSON list of {intent,
-- confidence, rule}), source, text (the text itself: PII, for the reviewer's screen only, masked
-- there)), oldest deadline first.
WITH opened AS (
    SELECT json_extract_string(e.detail, '$.review_id') AS review_id, e.borrower_id, e.loan_id, e.channel,
           e.contact_point, e.occurred_at AS opened_at,
           CAST(json_extract_string(e.detail, '$.deadline') AS TIMESTAMPTZ) AS deadline,
           json_extract_string(e.detail, '$.reason') AS reason,
           CAST(json_extract(e.detail, '$.candidates') AS VARCHAR) AS candidates,
           json_extract_string(e.detail, '$.source') AS source
    FROM borrower_events AS e
    WHERE e.kind = 'review_opened' AND e.occurred_at <= $now
)
SELECT o.review_id, o.borrower_id, o.loan_id, o.channel, o.contact_point, o.opened_at, o.deadline,
       round(epoch($now::TIMESTAMPTZ - o.opened_at) / 3600.0, 1) AS age_hours,
       o.deadline <= $now AS overdue, o.reason, o.candidates, o.source,
       json_extract_string(t.detail, '$.text') AS text
FROM opened AS o
LEFT JOIN borrower_events AS t ON t.external_id = o.review_id
WHERE NOT EXISTS (SELECT 1 FROM borrower_events AS r
                  WHERE r.kind = 'review_resolved' AND r.occurred_at <= $now
                    AND json_extract_string(r.detail, '$.review_id') = o.review_id)
ORDER BY o.deadline, o.review_id;
