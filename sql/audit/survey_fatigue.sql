-- survey_fatigue: Did a borrower get two surveys fewer than [surveys].fatigue_days days apart?
-- Checked: every attempted survey (audit_contacts.purpose = 'survey').
-- Violation: an earlier attempted survey to the same borrower whose local send day is fewer than
-- fatigue_days (audit_surveys) days before this one's (the later of the two is flagged).
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH surveys AS (
    SELECT attempt_id, borrower_id, loan_id, channel, step, sent_at, sent_day
    FROM audit_contacts WHERE purpose = 'survey'
),
previous AS (
    SELECT s.attempt_id, max(p.sent_day) AS previous_day
    FROM surveys AS s
    JOIN surveys AS p ON p.borrower_id = s.borrower_id AND p.attempt_id <> s.attempt_id
     AND (p.sent_at < s.sent_at OR (p.sent_at = s.sent_at AND p.attempt_id < s.attempt_id))
    GROUP BY s.attempt_id
)
SELECT s.attempt_id, s.borrower_id, s.loan_id, s.channel, s.step, s.sent_at, p.previous_day,
       CASE WHEN date_diff('day', p.previous_day, s.sent_day) < f.fatigue_days
            THEN 'survey ' || date_diff('day', p.previous_day, s.sent_day) || ' days after the previous one ('
                 || f.fatigue_days || ' required)'
       END AS violation
FROM surveys AS s
CROSS JOIN audit_surveys AS f
LEFT JOIN previous AS p USING (attempt_id);
