-- arrangement_no_escalation: While a repayment plan ran, did an escalation or collection contact
-- go out on a loan it covers? A plan runs from its arrangement_accepted event until its
-- arrangement_broken or arrangement_kept event (still running when it has neither); the loans it
-- covers are arrangement_loans; events are matched to plans by detail.arrangement_id.
-- Checked: every attempted escalation or collection contact on a loan some plan covered.
-- Violation: it went out after a covering plan's acceptance and before that plan broke or was kept.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH plan_events AS (
    SELECT kind, occurred_at,
           CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.arrangement_id') END AS arrangement_id
    FROM borrower_events
    WHERE kind IN ('arrangement_accepted', 'arrangement_broken', 'arrangement_kept')
),
runs AS (
    SELECT arrangement_id, min(occurred_at) FILTER (WHERE kind = 'arrangement_accepted') AS accepted_at,
           min(occurred_at) FILTER (WHERE kind <> 'arrangement_accepted') AS ended_at
    FROM plan_events WHERE arrangement_id IS NOT NULL
    GROUP BY arrangement_id
),
spans AS (
    SELECT l.loan_id, r.arrangement_id, r.accepted_at, r.ended_at
    FROM runs AS r JOIN arrangement_loans AS l USING (arrangement_id)
    WHERE r.accepted_at IS NOT NULL
),
checked AS (
    SELECT c.* FROM audit_contacts AS c
    WHERE (c.purpose = 'escalation' OR c.is_collection) AND c.loan_id IN (SELECT loan_id FROM spans)
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.purpose, c.step, c.sent_at, c.sent_day,
       s.arrangement_id, s.accepted_at, s.ended_at,
       CASE WHEN s.arrangement_id IS NOT NULL
            THEN c.purpose || ' ' || c.step || ' sent while plan ' || s.arrangement_id || ' ran (accepted '
                 || strftime(s.accepted_at, '%Y-%m-%d %H:%M') || ' UTC)'
       END AS violation
FROM checked AS c
LEFT JOIN spans AS s
       ON s.loan_id = c.loan_id AND c.sent_at > s.accepted_at AND (s.ended_at IS NULL OR c.sent_at < s.ended_at)
QUALIFY row_number() OVER (PARTITION BY c.attempt_id ORDER BY s.accepted_at NULLS LAST) = 1;
