-- One review item by its id ($review_id): the review_opened event's borrower, loan, channel (NULL
-- when it pauses nothing), contact_point, reason, candidates (JSON), the channel the text came on
-- (text_channel, from the raw text event) and resolved (a review_resolved for it exists, at any
-- time: an item is resolved once). No row: no such item.
SELECT o.borrower_id, o.loan_id, o.channel, o.contact_point, json_extract_string(o.detail, '$.reason') AS reason,
       CAST(json_extract(o.detail, '$.candidates') AS VARCHAR) AS candidates,
       coalesce(t.channel, o.channel) AS text_channel,
       EXISTS (SELECT 1 FROM borrower_events AS r
               WHERE r.kind = 'review_resolved' AND json_extract_string(r.detail, '$.review_id') = $review_id)
           AS resolved
FROM borrower_events AS o
LEFT JOIN borrower_events AS t ON t.external_id = $review_id
WHERE o.kind = 'review_opened' AND o.external_id = $review_id || ':review';
