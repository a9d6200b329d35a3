-- email_per_day: Did any borrower, or any one e-mail address, get more e-mails in one local day
-- than email_per_day, counting all loans and every purpose (an address shared by borrowers gets
-- one borrower's cap in total)?
-- Checked: every e-mail attempted. E-mails are numbered per borrower and local day of sent_at, and
-- per contact point (audit_contacts.point) and local day.
-- Violation: an e-mail whose number that day, for the borrower or for the address, is above the cap.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH numbered AS (
    SELECT c.*,
           row_number() OVER (PARTITION BY c.borrower_id, c.sent_day ORDER BY c.sent_at, c.attempt_id) AS email_no_that_day,
           row_number() OVER (PARTITION BY c.point, c.sent_day ORDER BY c.sent_at, c.attempt_id) AS point_email_no_that_day
    FROM audit_contacts AS c
    WHERE c.channel = 'email'
)
SELECT n.attempt_id, n.borrower_id, n.loan_id, n.purpose, n.step, n.sent_at, n.sent_day, n.point,
       n.email_no_that_day, n.point_email_no_that_day, p.email_per_day AS cap,
       CASE WHEN n.email_no_that_day > p.email_per_day
            THEN 'e-mail #' || n.email_no_that_day || ' on local day ' || n.sent_day || ' (cap ' || p.email_per_day || ')'
            WHEN n.point IS NOT NULL AND n.point_email_no_that_day > p.email_per_day
            THEN 'e-mail #' || n.point_email_no_that_day || ' to the same address on local day ' || n.sent_day
                 || ' (cap ' || p.email_per_day || ')'
       END AS violation
FROM numbered AS n
JOIN audit_profiles AS p USING (profile);
