-- sms_per_day: Did any borrower get more SMS in one of their local days than sms_per_day, counting
-- all their loans and every purpose (reminders and collection together)?
-- Checked: every SMS attempted. SMS are numbered per borrower and local day of sent_at.
-- Violation: an SMS whose number that day is above the cap.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH numbered AS (
    SELECT c.*,
           row_number() OVER (PARTITION BY c.borrower_id, c.sent_day ORDER BY c.sent_at, c.attempt_id) AS sms_no_that_day
    FROM audit_contacts AS c
    WHERE c.channel = 'sms'
)
SELECT n.attempt_id, n.borrower_id, n.loan_id, n.purpose, n.step, n.sent_at, n.sent_day,
       n.sms_no_that_day, p.sms_per_day AS cap,
       CASE WHEN n.sms_no_that_day > p.sms_per_day
            THEN 'SMS #' || n.sms_no_that_day || ' on local day ' || n.sent_day || ' (cap ' || p.sms_per_day || ')'
       END AS violation
FROM numbered AS n
JOIN audit_profiles AS p USING (profile);
