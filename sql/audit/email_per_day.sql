-- email_per_day: Did any borrower get more e-mails in one of their local days than email_per_day,
-- counting all their loans and every purpose?
-- Checked: every e-mail attempted. E-mails are numbered per borrower and local day of sent_at.
-- Violation: an e-mail whose number that day is above the cap.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH numbered AS (
    SELECT c.*,
           row_number() OVER (PARTITION BY c.borrower_id, c.sent_day ORDER BY c.sent_at, c.attempt_id) AS email_no_that_day
    FROM audit_contacts AS c
    WHERE c.channel = 'email'
)
SELECT n.attempt_id, n.borrower_id, n.loan_id, n.purpose, n.step, n.sent_at, n.sent_day,
       n.email_no_that_day, p.email_per_day AS cap,
       CASE WHEN n.email_no_that_day > p.email_per_day
            THEN 'e-mail #' || n.email_no_that_day || ' on local day ' || n.sent_day || ' (cap ' || p.email_per_day || ')'
       END AS violation
FROM numbered AS n
JOIN audit_profiles AS p USING (profile);
