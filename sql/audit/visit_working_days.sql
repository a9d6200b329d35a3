-- visit_working_days: Did every home visit take place on a working day of the borrower? A
-- working day is a weekday listed in [visits].working_days (audit_visits.working_days, ISO
-- numbers, mon = 1) on the borrower's own calendar, and not a holiday of their profile
-- (audit_holidays).
-- Why: FCA CONC 7.9 (no contact at unreasonable times; visits announced and prepared); the
-- lender's practice of field visits on working days only (issue 11 case 8).
-- Checked: every attempted visit.
-- Violation: the visit's local day is not a working day, or is a holiday of the profile.
CREATE OR REPLACE TEMP TABLE audit_rows AS
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.step, c.channel, c.profile, c.sent_at, c.sent_day,
       dayname(c.sent_day) AS weekday, h.name AS holiday,
       CASE WHEN c.sent_day IS NULL THEN 'borrower unknown or without timezone: the local day cannot be told'
            WHEN NOT list_contains(a.working_days, isodow(c.sent_day))
                THEN 'visit on a ' || dayname(c.sent_day) || ', not a working day'
            WHEN h.day IS NOT NULL THEN 'visit on a public holiday: ' || h.name
       END AS violation
FROM audit_contacts AS c
CROSS JOIN audit_visits AS a
LEFT JOIN audit_holidays AS h ON h.profile = c.profile AND h.day = c.sent_day
WHERE c.channel = 'visit';
