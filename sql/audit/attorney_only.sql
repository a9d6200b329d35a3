-- attorney_only: While a borrower was represented by an attorney (attorney_representation, until
-- attorney_withdrawn), did we contact them directly on any loan? Only letters addressed to the
-- attorney (contact_attempts.addressed_to = 'attorney') may go.
-- Checked: every attempted contact.
-- Violation: the borrower's latest attorney_representation/attorney_withdrawn before sent_at is a
-- representation, and the contact is not a letter, or a letter not addressed to the attorney.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH reps AS (
    SELECT e.borrower_id, e.kind, e.occurred_at
    FROM borrower_events AS e WHERE e.kind IN ('attorney_representation', 'attorney_withdrawn')
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at,
       r.kind AS last_representation_event, r.occurred_at AS represented_since, a.addressed_to,
       CASE WHEN r.kind = 'attorney_representation' AND c.channel <> 'letter'
                THEN 'direct contact by ' || c.channel || ' while the borrower is represented by an attorney'
            WHEN r.kind = 'attorney_representation' AND a.addressed_to IS DISTINCT FROM 'attorney'
                THEN 'letter addressed to the borrower, not to their attorney'
       END AS violation
FROM audit_contacts AS c
JOIN contact_attempts AS a USING (attempt_id)
ASOF LEFT JOIN reps AS r ON r.borrower_id = c.borrower_id AND c.sent_at > r.occurred_at;
