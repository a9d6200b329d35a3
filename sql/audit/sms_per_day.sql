-- sms_per_day: Did any borrower, or any one phone number, get more SMS in one local day than
-- sms_per_day, counting all loans and every purpose (reminders and collection together), and for a
-- number every borrower it was used for (a shared family phone gets one borrower's cap in total)?
-- Checked: every SMS attempted. SMS are numbered per borrower and local day of sent_at, and per
-- contact point (audit_contacts.point) and local day (the day of the contact's own borrower).
-- Violation: an SMS whose number that day, for the borrower or for the point, is above the cap of
-- the contact's profile.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH numbered AS (
    SELECT c.*,
           row_number() OVER (PARTITION BY c.borrower_id, c.sent_day ORDER BY c.sent_at, c.attempt_id) AS sms_no_that_day,
           row_number() OVER (PARTITION BY c.point, c.sent_day ORDER BY c.sent_at, c.attempt_id) AS point_sms_no_that_day
    FROM audit_contacts AS c
    WHERE c.channel = 'sms'
)
SELECT n.attempt_id, n.borrower_id, n.loan_id, n.purpose, n.step, n.sent_at, n.sent_day, n.point,
       n.sms_no_that_day, n.point_sms_no_that_day, p.sms_per_day AS cap,
       CASE WHEN n.sms_no_that_day > p.sms_per_day
            THEN 'SMS #' || n.sms_no_that_day || ' on local day ' || n.sent_day || ' (cap ' || p.sms_per_day || ')'
            WHEN n.point IS NOT NULL AND n.point_sms_no_that_day > p.sms_per_day
            THEN 'SMS #' || n.point_sms_no_that_day || ' to the same number on local day ' || n.sent_day
                 || ' (cap ' || p.sms_per_day || ')'
       END AS violation
FROM numbered AS n
JOIN audit_profiles AS p USING (profile);
