-- visit_notice: Did every home visit come after a notice announcing it, early enough? The notice
-- is the follow-up step visit_notice (a letter by default) of the same loan and delinquency
-- episode, sent or delivered at least [visits].notice_days local days before the visit.
-- Why: FCA CONC 7.9.12-13: a visit needs a clear purpose and adequate notice (issue 11 case 8).
-- Checked: every attempted visit.
-- Violation: no notice went before the visit, or the first one went fewer than notice_days local
-- days before it.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH notices AS (
    SELECT loan_id, episode_id, sent_day
    FROM audit_contacts
    WHERE step = 'visit_notice' AND status IN ('sent', 'delivered')
),
visits AS (
    SELECT c.attempt_id, c.borrower_id, c.loan_id, c.episode_id, c.step, c.channel, c.sent_at, c.sent_day,
           (SELECT min(n.sent_day) FROM notices AS n
            WHERE n.loan_id = c.loan_id AND n.episode_id IS NOT DISTINCT FROM c.episode_id
              AND n.sent_day <= c.sent_day) AS notice_day
    FROM audit_contacts AS c
    WHERE c.channel = 'visit'
)
SELECT v.*, a.notice_days,
       CASE WHEN v.notice_day IS NULL
                THEN 'visit on local day ' || v.sent_day || ' with no notice sent before it'
            WHEN v.sent_day - v.notice_day < a.notice_days
                THEN 'visit ' || (v.sent_day - v.notice_day) || ' day(s) after its notice (at least '
                     || a.notice_days || ')'
       END AS violation
FROM visits AS v CROSS JOIN audit_visits AS a;
