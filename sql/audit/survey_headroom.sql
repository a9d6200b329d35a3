-- survey_headroom: Did a survey take one of the last contacts a cap allowed, so that the next
-- reminder or collection step could be held back for it? A survey must leave room for one more.
-- Checked: every attempted survey (audit_contacts.purpose = 'survey').
-- Counted per borrower under their profile (audit_profiles): the survey's number among the
-- borrower's attempted SMS in the 7x24 hours ending at its sent_at (an SMS survey), and the number
-- of the borrower's attempted contacts of any channel on the survey's local day (the whole day).
-- Violation: an SMS survey numbered sms_per_7_days or more in its 7 days, or a survey on a local
-- day with contacts_per_day contacts or more (itself included).
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH surveys AS (
    SELECT attempt_id, borrower_id, loan_id, channel, step, sent_at, sent_day, profile
    FROM audit_contacts WHERE purpose = 'survey'
),
counted AS (
    SELECT s.attempt_id,
           (SELECT count(*) FROM audit_contacts AS c
            WHERE c.borrower_id = s.borrower_id AND c.channel = 'sms'
              AND c.sent_at BETWEEN s.sent_at - INTERVAL 7 DAYS AND s.sent_at
              AND (c.sent_at < s.sent_at OR c.attempt_id <= s.attempt_id)) AS sms_no_in_7_days,
           (SELECT count(*) FROM audit_contacts AS c
            WHERE c.borrower_id = s.borrower_id AND c.sent_day = s.sent_day) AS contacts_that_day
    FROM surveys AS s
)
SELECT s.attempt_id, s.borrower_id, s.loan_id, s.channel, s.step, s.sent_at, s.sent_day,
       n.sms_no_in_7_days, n.contacts_that_day, p.sms_per_7_days, p.contacts_per_day,
       CASE WHEN s.channel = 'sms' AND n.sms_no_in_7_days >= p.sms_per_7_days
                 THEN 'survey was SMS #' || n.sms_no_in_7_days || ' within 7 days (cap ' || p.sms_per_7_days
                      || '): no room left for the next contact'
            WHEN n.contacts_that_day >= p.contacts_per_day
                 THEN 'survey on a local day of ' || n.contacts_that_day || ' contacts (cap ' || p.contacts_per_day
                      || '): no room left for another'
       END AS violation
FROM surveys AS s
JOIN counted AS n USING (attempt_id)
JOIN audit_profiles AS p USING (profile);
