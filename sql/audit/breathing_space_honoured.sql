-- breathing_space_honoured: During a UK breathing space (breathing_space event with detail.until,
-- the last day, on the borrower's clock; ended early by breathing_space_ended), did anything but a
-- legally required notice (policy.legally_required_steps) reach the borrower, on any loan?
-- Checked: every attempted contact.
-- Violation: the borrower's latest breathing_space/breathing_space_ended before sent_at is a
-- breathing_space whose until is on or after the contact's local day, and the step is not legally
-- required. A breathing space whose until is missing or unreadable counts as open.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH spaces AS (
    SELECT e.borrower_id, e.kind, e.occurred_at,
           CASE WHEN json_valid(e.detail) THEN TRY_CAST(json_extract_string(e.detail, '$.until') AS DATE) END AS until
    FROM borrower_events AS e WHERE e.kind IN ('breathing_space', 'breathing_space_ended')
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at, c.sent_day,
       s.kind AS last_space_event, s.occurred_at AS began_at, s.until, c.legally_required,
       CASE WHEN s.kind = 'breathing_space' AND (s.until IS NULL OR c.sent_day <= s.until) AND NOT c.legally_required
            THEN c.step || ' by ' || c.channel || ' during a breathing space (until '
                 || coalesce(strftime(s.until, '%Y-%m-%d'), 'no end date') || ')'
       END AS violation
FROM audit_contacts AS c
ASOF LEFT JOIN spaces AS s ON s.borrower_id = c.borrower_id AND c.sent_at > s.occurred_at;
