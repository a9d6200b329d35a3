-- calls_per_7_days: Did any borrower get more call attempts than calls_per_7_days in ANY rolling
-- 7 days (any 7x24h stretch, not calendar weeks), across all their loans?
-- Checked: every call attempt. Each call is numbered among the borrower's calls of the 7 days that
-- end at its own sent_at (both ends included; calls at the same instant are numbered in
-- attempt_id order).
-- Violation: the call's number is above the cap (only the calls beyond the cap are counted).
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH calls AS (
    SELECT c.*,
           count(*) OVER (PARTITION BY c.borrower_id ORDER BY c.sent_at
                          RANGE BETWEEN INTERVAL 7 DAYS PRECEDING AND CURRENT ROW)
           - count(*) OVER (PARTITION BY c.borrower_id, c.sent_at)
           + row_number() OVER (PARTITION BY c.borrower_id, c.sent_at ORDER BY c.attempt_id) AS call_no_in_7_days
    FROM audit_contacts AS c
    WHERE c.channel = 'call'
)
SELECT k.attempt_id, k.borrower_id, k.loan_id, k.step, k.sent_at, k.sent_local,
       k.call_no_in_7_days, p.calls_per_7_days AS cap,
       CASE WHEN k.call_no_in_7_days > p.calls_per_7_days
            THEN 'call #' || k.call_no_in_7_days || ' within 7 days (cap ' || p.calls_per_7_days || ')'
       END AS violation
FROM calls AS k
JOIN audit_profiles AS p USING (profile);
