-- review_items: the review queue as of $now: every review item open then (a 'review_opened' event
-- recorded by $now with no 'review_resolved' for its review_id by $now), one row each:
--   review_id, borrower_id, loan_id, channel (the channel whose collection contact pauses; NULL for a
--   question, which pauses nothing), contact_point (the point the text came from), opened_at,
--   deadline (detail.deadline, an ISO-8601 instant), overdue (deadline <= $now), reason ('ambiguous' |
--   'needs_answer'), candidates (JSON list of {intent, confidence, rule}), source.
-- review_id is detail.review_id, else the opened event's external_id without its ':review' tail; a
-- resolution names it in detail.review_id, else by its external_id '<review_id>:resolved'.
-- A deadline that cannot be read is taken as passed at once (the item counts as the opt-out it
-- may have been: the wider pause is the safe one).
-- Why: TCPA 2024 (10 business days to honour a revocation); the review queue is an event pair, so
-- the log stays append-only and re-running any day derives the same items. One definition, read by
-- the policy (borrower_flags.sql, point_flags.sql) and by the reviewers' list (sql/inbound/reviews_open.sql).
CREATE OR REPLACE TEMP TABLE review_items AS
WITH opened AS (
    SELECT e.borrower_id, e.loan_id, e.channel, e.contact_point, e.occurred_at,
           coalesce(CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.review_id') END,
                    regexp_replace(e.external_id, ':review$', '')) AS review_id,
           CASE WHEN json_valid(e.detail) THEN TRY_CAST(json_extract_string(e.detail, '$.deadline') AS TIMESTAMPTZ) END
               AS deadline,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.reason') END AS reason,
           CASE WHEN json_valid(e.detail) THEN CAST(json_extract(e.detail, '$.candidates') AS VARCHAR) END AS candidates,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.source') END AS source
    FROM borrower_events AS e
    WHERE e.kind = 'review_opened' AND e.occurred_at <= $now
),
resolved AS (
    SELECT DISTINCT coalesce(CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.review_id') END,
                             regexp_replace(external_id, ':resolved$', '')) AS review_id
    FROM borrower_events
    WHERE kind = 'review_resolved' AND occurred_at <= $now
)
SELECT o.review_id, o.borrower_id, o.loan_id, o.channel, o.contact_point, o.occurred_at AS opened_at,
       coalesce(o.deadline, o.occurred_at) AS deadline,
       coalesce(o.deadline, o.occurred_at) <= $now AS overdue,
       coalesce(o.reason, 'ambiguous') AS reason, o.candidates, o.source
FROM opened AS o
WHERE o.review_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM resolved AS r WHERE r.review_id = o.review_id);
