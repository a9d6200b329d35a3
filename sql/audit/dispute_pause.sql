-- dispute_pause: While a loan is disputed, did any collection contact about it go out? A dispute
-- recorded with scope 'loan' (an operator naming the disputed loan) covers that loan only; any
-- other dispute (scope 'borrower', or none recorded: a reply whose loan was only guessed) covers
-- EVERY loan of the borrower, and so does its dispute_resolved (issue 11 case 6).
-- Checked: every attempted collection contact (see audit_contacts.is_collection).
-- Violation: the latest dispute/dispute_resolved event reaching the contact's loan before sent_at
-- is a dispute.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH events AS (
    SELECT e.borrower_id, e.loan_id, e.kind, e.occurred_at, coalesce(e.scope, 'borrower') = 'loan' AS one_loan
    FROM borrower_events AS e
    WHERE e.kind IN ('dispute', 'dispute_resolved')
),
disputes AS (   -- each event on every loan it reaches
    SELECT loan_id, kind, occurred_at FROM events WHERE one_loan AND loan_id IS NOT NULL
    UNION ALL
    SELECT l.loan_id, e.kind, e.occurred_at
    FROM events AS e JOIN loans AS l ON l.borrower_id = e.borrower_id
    WHERE NOT e.one_loan
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.purpose, c.step, c.sent_at,
       d.kind AS last_dispute_event, d.occurred_at AS disputed_at,
       CASE WHEN d.kind = 'dispute'
            THEN 'collection contact while the loan is disputed (since '
                 || strftime(d.occurred_at, '%Y-%m-%d %H:%M') || ' UTC)'
       END AS violation
FROM audit_contacts AS c
ASOF LEFT JOIN disputes AS d ON d.loan_id = c.loan_id AND c.sent_at > d.occurred_at
WHERE c.is_collection;
