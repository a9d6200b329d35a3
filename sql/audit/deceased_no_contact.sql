-- deceased_no_contact: After a borrower was recorded as deceased (a deceased event), did anything
-- at all go out to them, on any channel, about any loan?
-- Checked: every attempted contact.
-- Violation: the borrower has a deceased event before sent_at.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH deaths AS (
    SELECT e.borrower_id, min(e.occurred_at) AS recorded_at
    FROM borrower_events AS e WHERE e.kind = 'deceased' GROUP BY e.borrower_id
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at, d.recorded_at,
       CASE WHEN c.sent_at > d.recorded_at
            THEN 'sent by ' || c.channel || ' after the borrower was recorded deceased at '
                 || strftime(d.recorded_at, '%Y-%m-%d %H:%M') || ' UTC'
       END AS violation
FROM audit_contacts AS c
LEFT JOIN deaths AS d USING (borrower_id);
