-- reoffer_before_resume: After a repayment plan broke, was the borrower offered a plan again before
-- the ladder resumed on a loan it covered? The re-offer is an arrangement_reoffer contact of the
-- borrower sent after the arrangement_broken event (or recorded undeliverable on a later local day:
-- no recipient, channel opted out); a new plan accepted on the loan after the break ends the question.
-- Checked: the first escalation contact sent on each covered loan after each arrangement_broken event.
-- Violation: no re-offer went out between the break and it.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH breaks AS (
    SELECT e.borrower_id, e.occurred_at AS broken_at,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.arrangement_id') END AS arrangement_id
    FROM borrower_events AS e WHERE e.kind = 'arrangement_broken'
),
accepted AS (
    SELECT l.loan_id, e.occurred_at
    FROM borrower_events AS e
    JOIN arrangement_loans AS l
      ON l.arrangement_id = CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.arrangement_id') END
    WHERE e.kind = 'arrangement_accepted'
),
firsts AS (
    SELECT b.arrangement_id, b.borrower_id, b.broken_at, l.loan_id,
           arg_min(c.attempt_id, c.sent_at) AS attempt_id, min(c.sent_at) AS sent_at
    FROM breaks AS b
    JOIN arrangement_loans AS l USING (arrangement_id)
    JOIN audit_contacts AS c ON c.loan_id = l.loan_id AND c.purpose = 'escalation' AND c.sent_at > b.broken_at
    GROUP BY ALL
),
reoffers AS (
    SELECT a.borrower_id, coalesce(a.sent_at, timezone('UTC', a.planned_for_date + TIME '23:59:59')) AS offered_at
    FROM contact_attempts AS a
    WHERE a.step = 'arrangement_reoffer'
      AND (a.sent_at IS NOT NULL OR a.suppressed_reason = 'no_recipient' OR a.suppressed_reason LIKE 'opted_out_%')
)
SELECT f.attempt_id, f.borrower_id, f.loan_id, c.channel, c.step, f.sent_at, c.sent_day, f.arrangement_id,
       f.broken_at,
       CASE WHEN NOT EXISTS (SELECT 1 FROM reoffers AS r
                             WHERE r.borrower_id = f.borrower_id AND r.offered_at > f.broken_at
                               AND r.offered_at < f.sent_at)
             AND NOT EXISTS (SELECT 1 FROM accepted AS n
                             WHERE n.loan_id = f.loan_id AND n.occurred_at > f.broken_at AND n.occurred_at < f.sent_at)
            THEN 'ladder resumed (' || c.step || ') after plan ' || f.arrangement_id
                 || ' broke with no re-offer sent in between'
       END AS violation
FROM firsts AS f JOIN audit_contacts AS c USING (attempt_id);
