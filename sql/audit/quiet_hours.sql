-- quiet_hours: Was any borrower contacted outside the contact window of their profile, measured on
-- the clock of the borrower's OWN timezone (not the server's)?
-- Checked: every sms, email, call and visit that was attempted (letters are posted, not "heard").
-- Violation: local time of sent_at before window_start, or at/after window_end (the window is
-- [start, end): a contact at exactly 21:00 with a 21:00 end is too late), or no known timezone.
CREATE OR REPLACE TEMP TABLE audit_rows AS
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.profile, c.timezone,
       c.sent_at, c.sent_local, p.window_start, p.window_end,
       CASE
           WHEN c.sent_local IS NULL THEN 'borrower unknown or without timezone: local time cannot be shown'
           WHEN c.sent_local::TIME < p.window_start
               THEN 'sent at ' || strftime(c.sent_local, '%H:%M') || ' local, before the window opens at '
                    || left(p.window_start::VARCHAR, 5)
           WHEN c.sent_local::TIME >= p.window_end
               THEN 'sent at ' || strftime(c.sent_local, '%H:%M') || ' local, after the window closed at '
                    || left(p.window_end::VARCHAR, 5)
       END AS violation
FROM audit_contacts AS c
JOIN audit_profiles AS p USING (profile)
WHERE c.channel IN ('sms', 'email', 'call', 'visit');
