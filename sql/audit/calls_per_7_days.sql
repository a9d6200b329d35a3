-- calls_per_7_days: Did any borrower, or any one phone number, get more call attempts than
-- calls_per_7_days in ANY rolling 7 days (any 7x24h stretch, not calendar weeks), across all loans?
-- Call attempts are DIAL attempts: a call contact counts audit_contacts.dials (its call_outcome
-- events, redials included, at least 1), dated at the contact's sent_at; for a number, the calls
-- to it for every borrower it was used for (Reg F 1006.14(b)(2): placing a call counts).
-- Checked: every call contact. Each is numbered by the dial attempts of the borrower's (and of its
-- point's) calls in the 7 days that end at its own sent_at, itself included (both ends included;
-- calls at the same instant are taken in attempt_id order).
-- Violation: the last dial of the call is above the cap, for the borrower or for the point.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH calls AS (
    SELECT c.*,
           sum(c.dials) OVER (PARTITION BY c.borrower_id ORDER BY c.sent_at
                              RANGE BETWEEN INTERVAL 7 DAYS PRECEDING AND CURRENT ROW)
           - sum(c.dials) OVER (PARTITION BY c.borrower_id, c.sent_at)
           + sum(c.dials) OVER (PARTITION BY c.borrower_id, c.sent_at ORDER BY c.attempt_id
                                ROWS UNBOUNDED PRECEDING) AS call_no_in_7_days,
           sum(c.dials) OVER (PARTITION BY c.point ORDER BY c.sent_at
                              RANGE BETWEEN INTERVAL 7 DAYS PRECEDING AND CURRENT ROW)
           - sum(c.dials) OVER (PARTITION BY c.point, c.sent_at)
           + sum(c.dials) OVER (PARTITION BY c.point, c.sent_at ORDER BY c.attempt_id
                                ROWS UNBOUNDED PRECEDING) AS point_call_no_in_7_days
    FROM audit_contacts AS c
    WHERE c.channel = 'call'
)
SELECT k.attempt_id, k.borrower_id, k.loan_id, k.step, k.sent_at, k.sent_local, k.point, k.dials,
       k.call_no_in_7_days, k.point_call_no_in_7_days, p.calls_per_7_days AS cap,
       CASE WHEN k.call_no_in_7_days > p.calls_per_7_days
            THEN 'call attempt #' || k.call_no_in_7_days || ' within 7 days (cap ' || p.calls_per_7_days || ')'
            WHEN k.point IS NOT NULL AND k.point_call_no_in_7_days > p.calls_per_7_days
            THEN 'call attempt #' || k.point_call_no_in_7_days || ' to the same number within 7 days (cap '
                 || p.calls_per_7_days || ')'
       END AS violation
FROM calls AS k
JOIN audit_profiles AS p USING (profile);
