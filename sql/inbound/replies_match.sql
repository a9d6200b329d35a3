-- reply_matches: each inbound SMS (registered table _replies) with the borrower the number that
-- sent it belongs to (any of their phone points, through the recipients view; when several share
-- the number, the one contacted most recently), that borrower's most recently contacted loan (else
-- their newest loan), contact_point = the number's point id, and `already` = its MessageSid is
-- already in borrower_events. borrower_id is NULL for unknown numbers. A STOP is recorded with
-- contact_point set, so it closes the channel for THAT number whoever else holds it (point_flags);
-- the reply's other meanings stay with the matched borrower. Returns nothing.
CREATE OR REPLACE TEMP TABLE reply_matches AS
WITH cand AS (
    SELECT r.external_id, b.borrower_id,
           (SELECT max(c.sent_at) FROM contact_attempts AS c WHERE c.borrower_id = b.borrower_id) AS last_contact
    FROM _replies AS r
    JOIN (SELECT DISTINCT borrower_id, address FROM recipients WHERE channel = 'sms') AS b ON b.address = r.phone
),
pick AS (
    SELECT external_id, arg_max(borrower_id, coalesce(last_contact, TIMESTAMPTZ '1970-01-01 00:00:00+00')) AS borrower_id
    FROM cand GROUP BY external_id
),
last_contacted AS (
    SELECT borrower_id, arg_max(loan_id, sent_at) AS loan_id
    FROM contact_attempts
    WHERE sent_at IS NOT NULL AND borrower_id IN (SELECT borrower_id FROM pick)
    GROUP BY borrower_id
),
newest_loan AS (
    SELECT borrower_id, arg_max(loan_id, coalesce(opened_on, DATE '1970-01-01')) AS loan_id
    FROM loans WHERE borrower_id IN (SELECT borrower_id FROM pick)
    GROUP BY borrower_id
)
SELECT r.*, p.borrower_id, coalesce(lc.loan_id, nl.loan_id) AS loan_id, point_id('phone', r.phone) AS contact_point,
       EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = r.external_id) AS already
FROM _replies AS r
LEFT JOIN pick AS p ON p.external_id = r.external_id
LEFT JOIN last_contacted AS lc ON lc.borrower_id = p.borrower_id
LEFT JOIN newest_loan AS nl ON nl.borrower_id = p.borrower_id;
