-- vulnerable_limits: While a borrower was flagged vulnerable (their latest vulnerable /
-- vulnerable_ended event at or before the contact was 'vulnerable'), were the limits of
-- [policy.vulnerable] kept: no call or visit unless calls_allowed, at most contacts_per_day
-- contacts and sms_per_day SMS in their local day? FCA FG21/1, Consumer Duty.
-- Checked: every attempted contact made while the borrower was flagged vulnerable.
-- Violation: a call or visit while calls are not allowed, or the contact is beyond the day's
-- vulnerable cap (counting every contact of that local day sent before it).
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH flagged AS (
    SELECT c.*,
           (SELECT arg_max(e.kind, (e.occurred_at, e.event_id)) FROM borrower_events AS e
            WHERE e.borrower_id = c.borrower_id AND e.kind IN ('vulnerable', 'vulnerable_ended')
              AND e.occurred_at <= c.sent_at) = 'vulnerable' AS vulnerable
    FROM audit_contacts AS c
),
counted AS (
    SELECT f.*,
           row_number() OVER (PARTITION BY f.borrower_id, f.sent_day ORDER BY f.sent_at, f.attempt_id) AS nth_today,
           row_number() OVER (PARTITION BY f.borrower_id, f.sent_day, f.channel ORDER BY f.sent_at, f.attempt_id)
               AS nth_on_channel
    FROM flagged AS f
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at, c.sent_day, c.nth_today,
       CASE
           WHEN c.channel IN ('call', 'visit') AND NOT v.calls_allowed
               THEN c.channel || ' while the borrower is flagged vulnerable (calls not allowed)'
           WHEN c.nth_today > v.contacts_per_day
               THEN 'contact ' || c.nth_today || ' of local day ' || c.sent_day || ' while vulnerable (cap '
                    || v.contacts_per_day || ')'
           WHEN c.channel = 'sms' AND c.nth_on_channel > v.sms_per_day
               THEN 'sms ' || c.nth_on_channel || ' of local day ' || c.sent_day || ' while vulnerable (cap '
                    || v.sms_per_day || ')'
       END AS violation
FROM counted AS c
CROSS JOIN audit_vulnerable AS v
WHERE c.vulnerable;
