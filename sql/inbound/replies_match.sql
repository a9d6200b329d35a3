-- Returns each inbound text (registered table _texts: SMS replies, e-mail replies, agent notes) with
-- the borrower it belongs to, the loan it is recorded on, the sender's contact point, the borrower's
-- timezone and language, `already` (its external_id is in borrower_events: a re-ingested file) and
-- `problem` (why it cannot be recorded; NULL when it can), in the order given (seq).
-- Who wrote it: a text with a sender is matched through the `recipients` view, a phone number by
-- the borrower's sms points, an e-mail address by their email points (addresses are lower-case on
-- both sides); when several borrowers hold the point, the one contacted most recently. An agent's
-- note names its borrower (borrower_id), who must exist.
-- The loan: the one the text names (it must be the borrower's), else the borrower's most recently
-- contacted loan, else their newest. contact_point = point_id of the sender (NULL for a note): a
-- STOP is about THAT number whoever else holds it (point_flags).
WITH cand AS (
    SELECT r.seq, b.borrower_id,
           (SELECT max(c.sent_at) FROM contact_attempts AS c WHERE c.borrower_id = b.borrower_id) AS last_contact
    FROM _texts AS r
    JOIN (SELECT DISTINCT borrower_id, channel, address FROM recipients WHERE channel IN ('sms', 'email')) AS b
      ON b.address = r.sender AND b.channel = CASE WHEN r.sender LIKE '%@%' THEN 'email' ELSE 'sms' END
    WHERE r.borrower_id IS NULL AND r.sender IS NOT NULL
),
pick AS (
    SELECT seq, arg_max(borrower_id, coalesce(last_contact, TIMESTAMPTZ '1970-01-01 00:00:00+00')) AS borrower_id
    FROM cand GROUP BY seq
),
who AS (
    SELECT r.*, coalesce(r.borrower_id, p.borrower_id) AS matched, bo.borrower_id IS NOT NULL AS exists_,
           bo.timezone, bo.language
    FROM _texts AS r
    LEFT JOIN pick AS p ON p.seq = r.seq
    LEFT JOIN borrowers AS bo ON bo.borrower_id = coalesce(r.borrower_id, p.borrower_id)
),
last_contacted AS (
    SELECT borrower_id, arg_max(loan_id, sent_at) AS loan_id
    FROM contact_attempts
    WHERE sent_at IS NOT NULL AND borrower_id IN (SELECT matched FROM who)
    GROUP BY borrower_id
),
newest_loan AS (
    SELECT borrower_id, arg_max(loan_id, coalesce(opened_on, DATE '1970-01-01')) AS loan_id
    FROM loans WHERE borrower_id IN (SELECT matched FROM who)
    GROUP BY borrower_id
)
SELECT w.seq, w.external_id,
       CASE WHEN w.exists_ THEN w.matched END AS borrower_id,
       coalesce(w.loan_id, lc.loan_id, nl.loan_id) AS loan_id,
       CASE WHEN w.sender IS NULL THEN NULL
            WHEN w.sender LIKE '%@%' THEN point_id('email', w.sender)
            ELSE point_id('phone', w.sender) END AS contact_point,
       w.timezone, w.language,
       EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = w.external_id) AS already,
       CASE WHEN w.matched IS NULL AND w.sender LIKE '%@%' THEN 'no borrower has this e-mail address'
            WHEN w.matched IS NULL AND w.sender IS NOT NULL THEN 'no borrower has this phone number'
            WHEN w.matched IS NULL THEN 'the text names no borrower and has no sender'
            WHEN NOT w.exists_ THEN 'borrower ' || w.matched || ' is not in the book'
            WHEN w.loan_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM loans AS l
                                                       WHERE l.loan_id = w.loan_id AND l.borrower_id = w.matched)
                 THEN 'loan ' || w.loan_id || ' is not borrower ' || w.matched || '''s'
       END AS problem
FROM who AS w
LEFT JOIN last_contacted AS lc ON lc.borrower_id = w.matched
LEFT JOIN newest_loan AS nl ON nl.borrower_id = w.matched
ORDER BY w.seq;
