-- review_items: the review queue as of $now: every review item open then (a 'review_opened' event
-- recorded by $now with no 'review_resolved' for its review_id by $now, and not superseded), one row each:
--   review_id, borrower_id, loan_id, channel (the channel the text came on when the item pauses
--   anything; NULL for a question, which pauses nothing), channels (the channels whose collection
--   contact pauses now: detail.channels, the channel it came on plus its candidates' channels,
--   less those superseded; [] when it pauses nothing), contact_point (the point the text came
--   from), opened_at, deadline (detail.deadline, an ISO-8601 instant), overdue (deadline <= $now),
--   reason ('ambiguous' | 'needs_answer'), candidates (JSON list of {intent, confidence, rule}; an
--   ambiguous reply that also asked something lists 'question' too), asks (it holds a question), source.
-- review_id is detail.review_id, else the opened event's external_id without its ':review' tail; a
-- resolution names it in detail.review_id, else by its external_id '<review_id>:resolved'.
-- A deadline that cannot be read is taken as passed at once (the item counts as the opt-out it
-- may have been: the wider pause is the safe one). An item recorded before detail.channels existed
-- pauses the channel it came on.
-- Superseded: a later clear opt_out or opt_in (a START or STOP read from a text, source sms_reply or
-- email_reply) from the same point on one of the item's channels is the person's explicit choice
-- there and replaces the uncertain one: that channel no longer pauses for the item. The item closes
-- when all its channels are superseded, unless it holds a question (then it stays, pausing nothing,
-- until a reviewer answers).
-- Why: TCPA 2024 (10 business days to honour a revocation); the review queue is an event pair, so
-- the log stays append-only and re-running any day derives the same items. One definition, read by
-- the policy (borrower_flags.sql, point_flags.sql) and by the reviewers' list (sql/inbound/reviews_open.sql);
-- the audit (sql/audit/reply_opt_outs_honoured.sql) re-derives its own from the words.
CREATE OR REPLACE TEMP TABLE review_items AS
WITH opened AS (
    SELECT e.borrower_id, e.loan_id, e.channel, e.contact_point, e.occurred_at,
           coalesce(CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.review_id') END,
                    regexp_replace(e.external_id, ':review$', '')) AS review_id,
           CASE WHEN json_valid(e.detail) THEN TRY_CAST(json_extract_string(e.detail, '$.deadline') AS TIMESTAMPTZ) END
               AS deadline,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.reason') END AS reason,
           CASE WHEN json_valid(e.detail) THEN CAST(json_extract(e.detail, '$.candidates') AS VARCHAR) END AS candidates,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.source') END AS source,
           CASE WHEN e.channel IS NULL THEN []
                ELSE list_sort(list_distinct(list_concat(
                         coalesce(CASE WHEN json_valid(e.detail)
                                       THEN json_extract_string(e.detail, '$.channels[*]') END, []),
                         [e.channel])))
           END AS recorded_channels,
           coalesce(CASE WHEN json_valid(e.detail)
                         THEN list_contains(json_extract_string(e.detail, '$.candidates[*].intent'), 'question') END,
                    false) AS asks
    FROM borrower_events AS e
    WHERE e.kind = 'review_opened' AND e.occurred_at <= $now
),
resolved AS (
    SELECT DISTINCT coalesce(CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.review_id') END,
                             regexp_replace(external_id, ':resolved$', '')) AS review_id
    FROM borrower_events
    WHERE kind = 'review_resolved' AND occurred_at <= $now
),
still_open AS (
    SELECT o.* FROM opened AS o
    WHERE o.review_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM resolved AS r WHERE r.review_id = o.review_id)
),
item_channels AS (
    SELECT review_id, contact_point, occurred_at, unnest(recorded_channels) AS channel FROM still_open
),
live AS (   -- the channels still paused: no later clear choice from the same point on them
    SELECT ic.review_id, list(ic.channel ORDER BY ic.channel) AS channels
    FROM item_channels AS ic
    WHERE ic.contact_point IS NULL
       OR NOT EXISTS (SELECT 1 FROM borrower_events AS x
                      WHERE x.kind IN ('opt_out', 'opt_in') AND x.contact_point = ic.contact_point
                        AND x.channel = ic.channel AND x.source IN ('sms_reply', 'email_reply')
                        AND x.occurred_at > ic.occurred_at AND x.occurred_at <= $now)
    GROUP BY ic.review_id
)
SELECT o.review_id, o.borrower_id, o.loan_id, o.channel, coalesce(l.channels, []) AS channels,
       o.contact_point, o.occurred_at AS opened_at,
       coalesce(o.deadline, o.occurred_at) AS deadline,
       coalesce(o.deadline, o.occurred_at) <= $now AS overdue,
       coalesce(o.reason, 'ambiguous') AS reason, o.candidates, o.asks, o.source
FROM still_open AS o
LEFT JOIN live AS l USING (review_id)
WHERE len(o.recorded_channels) = 0 OR l.review_id IS NOT NULL OR o.asks;
