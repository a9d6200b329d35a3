-- review_items: every review item open as of $now (a 'review_opened' event with no
-- 'review_resolved' for its review_id recorded by $now), one row each:
--   review_id, borrower_id, channel (the channel whose collection contact pauses; NULL for a
--   question, which pauses nothing), contact_point (the point the reply came from), deadline
--   (detail.deadline, an ISO-8601 instant) and overdue (deadline <= $now).
-- review_id is detail.review_id, else the opened event's external_id without its ':review' tail; a
-- resolution names it in detail.review_id, else by its external_id '<review_id>:resolved'.
-- A deadline that cannot be read is taken as passed at once (the item counts as the opt-out it
-- may have been: the wider pause is the safe one).
-- Why: TCPA 2024 (10 business days to honour a revocation); the review queue is an event pair, so
-- the log stays append-only and re-running any day derives the same items. Read by
-- borrower_flags.sql and point_flags.sql.
CREATE OR REPLACE TEMP TABLE review_items AS
WITH opened AS (
    SELECT e.borrower_id, e.channel, e.contact_point, e.occurred_at,
           coalesce(CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.review_id') END,
                    regexp_replace(e.external_id, ':review$', '')) AS review_id,
           CASE WHEN json_valid(e.detail) THEN TRY_CAST(json_extract_string(e.detail, '$.deadline') AS TIMESTAMPTZ) END
               AS deadline
    FROM borrower_events AS e
    WHERE e.kind = 'review_opened' AND e.occurred_at <= $now
),
resolved AS (
    SELECT DISTINCT coalesce(CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.review_id') END,
                             regexp_replace(external_id, ':resolved$', '')) AS review_id
    FROM borrower_events
    WHERE kind = 'review_resolved' AND occurred_at <= $now
)
SELECT o.review_id, o.borrower_id, o.channel, o.contact_point, o.occurred_at AS opened_at,
       coalesce(o.deadline, o.occurred_at) AS deadline,
       coalesce(o.deadline, o.occurred_at) <= $now AS overdue
FROM opened AS o
WHERE o.review_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM resolved AS r WHERE r.review_id = o.review_id);
