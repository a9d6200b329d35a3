-- promise_pause: After a promise to pay on a loan (a promise_to_pay event, or a call or visit outcome with
-- outcome promise_to_pay; detail.promised_date), did an escalation contact about that loan go out
-- before the promise could be judged? The ladder is paused through promised_date + 1 day
-- (borrower's local days); a later promise replaces an earlier one (a promise without a readable
-- promised_date pauses nothing).
-- Checked: every attempted escalation contact, and every notice announcing a visit (visit_notice).
-- Violation: the loan's latest promise made before sent_at has promised_date P, and the
-- contact went out on or before local day P + 1.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH promises AS (
    SELECT e.loan_id, e.occurred_at,
           CASE WHEN json_valid(e.detail)
                THEN TRY_CAST(json_extract_string(e.detail, '$.promised_date') AS DATE) END AS promised_date
    FROM borrower_events AS e
    WHERE e.loan_id IS NOT NULL
      AND (e.kind = 'promise_to_pay'
           OR (e.kind IN ('call_outcome', 'visit_outcome')
               AND CASE WHEN json_valid(e.detail)
                        THEN json_extract_string(e.detail, '$.outcome') = 'promise_to_pay' END))
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at, c.sent_day,
       pr.occurred_at AS promised_at, pr.promised_date,
       CASE WHEN pr.promised_date IS NOT NULL AND c.sent_day <= pr.promised_date + 1
            THEN 'escalation on local day ' || c.sent_day || ' while a promise to pay by '
                 || pr.promised_date || ' pauses the ladder'
       END AS violation
FROM audit_contacts AS c
ASOF LEFT JOIN promises AS pr ON pr.loan_id = c.loan_id AND c.sent_at > pr.occurred_at
WHERE c.purpose = 'escalation' OR c.step = 'visit_notice';   -- a visit is not announced in a pause
