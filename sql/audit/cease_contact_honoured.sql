-- cease_contact_honoured: After a borrower asked us to cease contact (cease_contact event), did any
-- collection contact (see audit_contacts.is_collection) reach them before they revoked it
-- (cease_contact_revoked)? Applies to every loan of the borrower.
-- Exception: steps listed in policy.legally_required_steps (notices the law requires).
-- Checked: every attempted collection contact.
-- Violation: the borrower's latest cease_contact/cease_contact_revoked before sent_at is a
-- cease_contact, and the step is not legally required.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH requests AS (
    SELECT e.borrower_id, e.kind, e.occurred_at
    FROM borrower_events AS e
    WHERE e.kind IN ('cease_contact', 'cease_contact_revoked')
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.purpose, c.step, c.sent_at,
       r.kind AS last_request, r.occurred_at AS requested_at, c.legally_required,
       CASE WHEN r.kind = 'cease_contact' AND NOT c.legally_required
            THEN 'collection contact after the borrower asked to cease contact at '
                 || strftime(r.occurred_at, '%Y-%m-%d %H:%M') || ' UTC'
       END AS violation
FROM audit_contacts AS c
ASOF LEFT JOIN requests AS r ON r.borrower_id = c.borrower_id AND c.sent_at > r.occurred_at
WHERE c.is_collection;
