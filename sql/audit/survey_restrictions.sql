-- survey_restrictions: Did a survey reach a borrower who asked us to cease contact, with an open
-- complaint, with any loan disputed, or with a reply waiting in the review queue? (cease_contact_honoured checks collection contacts only and a
-- survey is never collection, so cease-contact is checked here; no survey is legally required, so
-- there is no exception. Opt-outs: opt_out_honoured checks every contact, surveys included.)
-- Disputes read as dispute_pause reads them: scope 'loan' covers that loan, any other dispute every
-- loan of the borrower; here a survey breaks it when ANY loan is covered.
-- Or while a review item of the borrower was open (a reply a person had yet to read, on any
-- channel, a question included)? An item, re-derived here from the log: a review_opened event (its
-- id: detail.review_id, else the external_id without ':review'), open from its instant until a
-- review_resolved naming it, or until every one of its channels (the one it came on and
-- detail.channels) has a later opt_out/opt_in read from a reply (source sms_reply / email_reply)
-- from the same contact point on that channel, unless it asked a question (a 'question' candidate)
-- or has no channel: those stay open until resolved.
-- Checked: every attempted survey (audit_contacts.purpose = 'survey').
-- Violation: the borrower's latest cease_contact/cease_contact_revoked before sent_at is a
-- cease_contact, or the latest complaint/complaint_resolved before sent_at is a complaint, or some
-- loan of the borrower's latest dispute/dispute_resolved before sent_at is a dispute, or an item
-- opened before sent_at was still open at sent_at.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH surveys AS (
    SELECT attempt_id, borrower_id, loan_id, channel, step, sent_at
    FROM audit_contacts WHERE purpose = 'survey'
),
ceases AS (
    SELECT borrower_id, kind, occurred_at FROM borrower_events WHERE kind IN ('cease_contact', 'cease_contact_revoked')
),
complaints AS (
    SELECT borrower_id, kind, occurred_at FROM borrower_events WHERE kind IN ('complaint', 'complaint_resolved')
),
events AS (
    SELECT e.borrower_id, e.loan_id, e.kind, e.occurred_at, coalesce(e.scope, 'borrower') = 'loan' AS one_loan
    FROM borrower_events AS e WHERE e.kind IN ('dispute', 'dispute_resolved')
),
disputes AS (
    SELECT borrower_id, loan_id, kind, occurred_at FROM events WHERE one_loan AND loan_id IS NOT NULL
    UNION ALL
    SELECT e.borrower_id, l.loan_id, e.kind, e.occurred_at
    FROM events AS e JOIN loans AS l ON l.borrower_id = e.borrower_id WHERE NOT e.one_loan
),
items AS (
    SELECT e.borrower_id, e.occurred_at AS opened_at, e.contact_point,
           coalesce(CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.review_id') END,
                    regexp_replace(e.external_id, ':review$', '')) AS review_id,
           list_filter(list_distinct(list_concat(
               coalesce(CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.channels[*]') END, []),
               [e.channel])), lambda x: x IS NOT NULL) AS channels,
           coalesce(CASE WHEN json_valid(e.detail)
                         THEN list_contains(json_extract_string(e.detail, '$.candidates[*].intent'), 'question') END,
                    false) AS asks
    FROM borrower_events AS e WHERE e.kind = 'review_opened'
),
resolutions AS (
    SELECT coalesce(CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.review_id') END,
                    regexp_replace(external_id, ':resolved$', '')) AS review_id, min(occurred_at) AS resolved_at
    FROM borrower_events WHERE kind = 'review_resolved' GROUP BY ALL
),
in_review AS (  -- surveys sent while an item of the borrower was open
    SELECT s.attempt_id, min(i.opened_at) AS open_since
    FROM surveys AS s
    JOIN items AS i ON i.borrower_id = s.borrower_id AND i.opened_at < s.sent_at
    LEFT JOIN resolutions AS r ON r.review_id = i.review_id
    WHERE (r.resolved_at IS NULL OR r.resolved_at >= s.sent_at)
      AND (i.asks OR len(i.channels) = 0 OR i.contact_point IS NULL
           OR EXISTS (SELECT 1 FROM (SELECT unnest(i.channels) AS channel) AS ch
                      WHERE NOT EXISTS (SELECT 1 FROM borrower_events AS x
                                        WHERE x.kind IN ('opt_out', 'opt_in') AND x.contact_point = i.contact_point
                                          AND x.channel = ch.channel AND x.source IN ('sms_reply', 'email_reply')
                                          AND x.occurred_at > i.opened_at AND x.occurred_at < s.sent_at)))
    GROUP BY s.attempt_id
),
disputed AS (   -- surveys sent while some loan's latest dispute event was a dispute
    SELECT s.attempt_id, min(d.occurred_at) AS disputed_since
    FROM surveys AS s
    JOIN (SELECT DISTINCT borrower_id, loan_id FROM disputes) AS l ON l.borrower_id = s.borrower_id
    JOIN LATERAL (SELECT arg_max(kind, occurred_at) AS kind, max(occurred_at) AS occurred_at
                  FROM disputes AS x
                  WHERE x.loan_id = l.loan_id AND x.occurred_at < s.sent_at) AS d ON d.kind = 'dispute'
    GROUP BY s.attempt_id
)
SELECT s.attempt_id, s.borrower_id, s.loan_id, s.channel, s.step, s.sent_at,
       c.kind AS last_cease_event, k.kind AS last_complaint_event, d.disputed_since, rv.open_since AS review_open_since,
       CASE WHEN c.kind = 'cease_contact'
                 THEN 'survey after the borrower asked to cease contact at '
                      || strftime(c.occurred_at, '%Y-%m-%d %H:%M') || ' UTC'
            WHEN k.kind = 'complaint'
                 THEN 'survey while a complaint is open (since ' || strftime(k.occurred_at, '%Y-%m-%d %H:%M') || ' UTC)'
            WHEN d.disputed_since IS NOT NULL
                 THEN 'survey while a loan of the borrower is disputed (since '
                      || strftime(d.disputed_since, '%Y-%m-%d %H:%M') || ' UTC)'
            WHEN rv.open_since IS NOT NULL
                 THEN 'survey while a review item of the borrower is open (since '
                      || strftime(rv.open_since, '%Y-%m-%d %H:%M') || ' UTC)'
       END AS violation
FROM surveys AS s
ASOF LEFT JOIN ceases AS c ON c.borrower_id = s.borrower_id AND s.sent_at > c.occurred_at
ASOF LEFT JOIN complaints AS k ON k.borrower_id = s.borrower_id AND s.sent_at > k.occurred_at
LEFT JOIN disputed AS d USING (attempt_id)
LEFT JOIN in_review AS rv USING (attempt_id);
