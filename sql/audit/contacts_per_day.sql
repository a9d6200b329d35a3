-- contacts_per_day: Did any borrower get more contacts of any channel (sms, email, call, letter,
-- visit) in one of their local days than contacts_per_day, across all loans and purposes, or any
-- one contact point (a phone: its SMS and calls together; an e-mail address) more than that for
-- every borrower it was used for?
-- Checked: every attempted contact. Contacts are numbered per borrower and local day of sent_at,
-- and per contact point (audit_contacts.point; letters and visits have none) and local day.
-- Violation: a contact whose number that day, for the borrower or for the point, is above the cap.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH numbered AS (
    SELECT c.*,
           row_number() OVER (PARTITION BY c.borrower_id, c.sent_day ORDER BY c.sent_at, c.attempt_id) AS contact_no_that_day,
           row_number() OVER (PARTITION BY c.point, c.sent_day ORDER BY c.sent_at, c.attempt_id) AS point_contact_no_that_day
    FROM audit_contacts AS c
)
SELECT n.attempt_id, n.borrower_id, n.loan_id, n.channel, n.purpose, n.step, n.sent_at, n.sent_day, n.point,
       n.contact_no_that_day, n.point_contact_no_that_day, p.contacts_per_day AS cap,
       CASE WHEN n.contact_no_that_day > p.contacts_per_day
            THEN 'contact #' || n.contact_no_that_day || ' on local day ' || n.sent_day
                 || ' (cap ' || p.contacts_per_day || ')'
            WHEN n.point IS NOT NULL AND n.point_contact_no_that_day > p.contacts_per_day
            THEN 'contact #' || n.point_contact_no_that_day || ' to the same contact point on local day '
                 || n.sent_day || ' (cap ' || p.contacts_per_day || ')'
       END AS violation
FROM numbered AS n
JOIN audit_profiles AS p USING (profile);
