-- bankruptcy_honoured: While a borrower was in bankruptcy (bankruptcy event, until
-- bankruptcy_dismissed; a discharge does not end it), did any contact other than a legally
-- required notice (policy.legally_required_steps) or the thanks for a payment reach them, on any loan?
-- Checked: every attempted contact.
-- Violation: the borrower's latest bankruptcy/bankruptcy_dismissed before sent_at is a bankruptcy,
-- and the step is neither legally required nor payment_confirmation.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH filings AS (
    SELECT e.borrower_id, e.kind, e.occurred_at
    FROM borrower_events AS e WHERE e.kind IN ('bankruptcy', 'bankruptcy_dismissed')
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at,
       f.kind AS last_filing_event, f.occurred_at AS filed_at, c.legally_required,
       CASE WHEN f.kind = 'bankruptcy' AND NOT c.legally_required AND c.step <> 'payment_confirmation'
            THEN c.step || ' by ' || c.channel || ' while the borrower is in bankruptcy (since '
                 || strftime(f.occurred_at, '%Y-%m-%d %H:%M') || ' UTC)'
       END AS violation
FROM audit_contacts AS c
ASOF LEFT JOIN filings AS f ON f.borrower_id = c.borrower_id AND c.sent_at > f.occurred_at;
