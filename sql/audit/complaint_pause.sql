-- complaint_pause: While a borrower had an open complaint (complaint, until complaint_resolved),
-- did a collection call or visit (see audit_contacts.is_collection) happen, on any loan?
-- Checked: every attempted collection call and visit.
-- Violation: the borrower's latest complaint/complaint_resolved before sent_at is a complaint.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH complaints AS (
    SELECT e.borrower_id, e.kind, e.occurred_at
    FROM borrower_events AS e WHERE e.kind IN ('complaint', 'complaint_resolved')
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at,
       k.kind AS last_complaint_event, k.occurred_at AS complained_at,
       CASE WHEN k.kind = 'complaint'
            THEN 'collection ' || c.channel || ' while a complaint is open (since '
                 || strftime(k.occurred_at, '%Y-%m-%d %H:%M') || ' UTC)'
       END AS violation
FROM audit_contacts AS c
ASOF LEFT JOIN complaints AS k ON k.borrower_id = c.borrower_id AND c.sent_at > k.occurred_at
WHERE c.is_collection AND c.channel IN ('call', 'visit');
