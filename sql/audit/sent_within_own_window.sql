-- sent_within_own_window: Did every contact go out inside the window it was planned with
-- (send_after <= sent_at < send_before)? A contact whose window passed must be suppressed
-- (window_missed), never sent late.
-- Checked: every attempted contact.
-- Violation: no window recorded, sent before send_after, or sent at/after send_before.
CREATE OR REPLACE TEMP TABLE audit_rows AS
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.planned_for_date,
       c.send_after, c.send_before, c.sent_at,
       CASE
           WHEN c.send_after IS NULL OR c.send_before IS NULL THEN 'sent without a recorded window'
           WHEN c.sent_at < c.send_after THEN 'sent before its window opened'
           WHEN c.sent_at >= c.send_before
               THEN 'sent late: ' || date_diff('minute', c.send_before, c.sent_at) || ' min after its window closed'
       END AS violation
FROM audit_contacts AS c;
