-- sms_per_7_days: Did any borrower, or any one phone number, get more SMS than sms_per_7_days in
-- ANY rolling 7 days (any 7x24h stretch), counting all loans and every purpose, and for a number
-- every borrower it was used for?
-- Checked: every SMS attempted. Each SMS is numbered among the borrower's SMS of the 7 days that
-- end at its own sent_at (both ends included; same-instant SMS numbered in attempt_id order), and
-- likewise among the SMS to its contact point (audit_contacts.point).
-- Violation: an SMS whose number, for the borrower or for the point, is above the cap.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH numbered AS (
    SELECT c.*,
           count(*) OVER (PARTITION BY c.borrower_id ORDER BY c.sent_at
                          RANGE BETWEEN INTERVAL 7 DAYS PRECEDING AND CURRENT ROW)
           - count(*) OVER (PARTITION BY c.borrower_id, c.sent_at)
           + row_number() OVER (PARTITION BY c.borrower_id, c.sent_at ORDER BY c.attempt_id) AS sms_no_in_7_days,
           count(*) OVER (PARTITION BY c.point ORDER BY c.sent_at
                          RANGE BETWEEN INTERVAL 7 DAYS PRECEDING AND CURRENT ROW)
           - count(*) OVER (PARTITION BY c.point, c.sent_at)
           + row_number() OVER (PARTITION BY c.point, c.sent_at ORDER BY c.attempt_id) AS point_sms_no_in_7_days
    FROM audit_contacts AS c
    WHERE c.channel = 'sms'
)
SELECT n.attempt_id, n.borrower_id, n.loan_id, n.purpose, n.step, n.sent_at, n.sent_local, n.point,
       n.sms_no_in_7_days, n.point_sms_no_in_7_days, p.sms_per_7_days AS cap,
       CASE WHEN n.sms_no_in_7_days > p.sms_per_7_days
            THEN 'SMS #' || n.sms_no_in_7_days || ' within 7 days (cap ' || p.sms_per_7_days || ')'
            WHEN n.point IS NOT NULL AND n.point_sms_no_in_7_days > p.sms_per_7_days
            THEN 'SMS #' || n.point_sms_no_in_7_days || ' to the same number within 7 days (cap '
                 || p.sms_per_7_days || ')'
       END AS violation
FROM numbered AS n
JOIN audit_profiles AS p USING (profile);
