-- holidays: Did any collection contact go out on a public holiday, judged by the borrower's local
-- date and the holiday calendars of their profile (plus policy.holidays.extra_dates)? Reminders
-- and other non-collection contacts may go on holidays.
-- Checked: every attempted collection contact (see audit_contacts.is_collection).
-- Violation: the local day of sent_at is a holiday of the borrower's profile.
CREATE OR REPLACE TEMP TABLE audit_rows AS
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.purpose, c.step, c.profile, c.sent_at,
       c.sent_day, h.name AS holiday,
       CASE WHEN h.day IS NOT NULL
            THEN 'collection contact on ' || c.sent_day || ', a holiday (' || h.name || ') for profile ' || c.profile
       END AS violation
FROM audit_contacts AS c
LEFT JOIN audit_holidays AS h ON h.profile = c.profile AND h.day = c.sent_day
WHERE c.is_collection;
