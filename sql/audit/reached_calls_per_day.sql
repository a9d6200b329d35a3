-- reached_calls_per_day: Was any borrower reached (spoken to) by more calls in one local day than
-- reached_calls_per_day? A call is "reached" when a call_outcome event names it (detail.attempt_id)
-- with an outcome that is a conversation (call_conversation() in sql/schema/005_macros.sql).
-- Checked: every call attempt. Reached calls are numbered per borrower and local day of sent_at.
-- Violation: a reached call whose number that day is above the cap.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH reached AS (
    SELECT DISTINCT CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.attempt_id') END AS attempt_id
    FROM borrower_events AS e
    WHERE e.kind = 'call_outcome'
      AND CASE WHEN json_valid(e.detail) THEN call_conversation(json_extract_string(e.detail, '$.outcome')) END
),
calls AS (
    SELECT c.*, r.attempt_id IS NOT NULL AS reached
    FROM audit_contacts AS c LEFT JOIN reached AS r USING (attempt_id)
    WHERE c.channel = 'call'
),
numbered AS (
    SELECT k.*,
           CASE WHEN k.reached THEN row_number() OVER (PARTITION BY k.borrower_id, k.sent_day, k.reached
                                                       ORDER BY k.sent_at, k.attempt_id) END AS reached_no_that_day
    FROM calls AS k
)
SELECT n.attempt_id, n.borrower_id, n.loan_id, n.step, n.sent_at, n.sent_day, n.reached,
       n.reached_no_that_day, p.reached_calls_per_day AS cap,
       CASE WHEN n.reached_no_that_day > p.reached_calls_per_day
            THEN 'reached call #' || n.reached_no_that_day || ' on local day ' || n.sent_day
                 || ' (cap ' || p.reached_calls_per_day || ')'
       END AS violation
FROM numbered AS n
JOIN audit_profiles AS p USING (profile);
