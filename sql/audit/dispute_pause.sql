-- dispute_pause: While a loan is disputed (dispute event, until dispute_resolved for that loan),
-- did any collection contact about THAT loan go out?
-- Checked: every attempted collection contact (see audit_contacts.is_collection).
-- Violation: the loan's latest dispute/dispute_resolved event before sent_at is a dispute.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH disputes AS (
    SELECT e.loan_id, e.kind, e.occurred_at
    FROM borrower_events AS e
    WHERE e.kind IN ('dispute', 'dispute_resolved') AND e.loan_id IS NOT NULL
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
