-- call_cooldown_after_conversation: After a call in which the borrower was reached (a call_outcome
-- event with outcome reached or promise_to_pay, one event per dial attempt) or a conversation the
-- borrower started (inbound_call with detail.conversation true), was the borrower called again too soon?
-- Checked: every call attempt.
-- Violation: the borrower's latest conversation before this call happened on local day D and the
-- call was made on or before local day D + call_cooldown_days (the rest of day D included).
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH conversations AS (
    SELECT e.borrower_id, e.occurred_at AS conversation_at,
           CASE WHEN e.kind = 'inbound_call' THEN 'inbound call'
                ELSE json_extract_string(e.detail, '$.outcome') END AS outcome
    FROM borrower_events AS e
    WHERE (e.kind = 'call_outcome'
           AND CASE WHEN json_valid(e.detail)
                    THEN json_extract_string(e.detail, '$.outcome') IN ('reached', 'promise_to_pay') END)
       OR (e.kind = 'inbound_call'
           AND CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.conversation') = 'true' END)
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.step, c.sent_at, c.sent_local,
       v.conversation_at, timezone(c.timezone, v.conversation_at)::DATE AS conversation_day,
       p.call_cooldown_days,
       CASE WHEN c.sent_day <= timezone(c.timezone, v.conversation_at)::DATE + p.call_cooldown_days::INTEGER
            THEN 'called ' || (c.sent_day - timezone(c.timezone, v.conversation_at)::DATE)
                 || ' day(s) after a conversation (' || v.outcome || '); cooldown ' || p.call_cooldown_days || ' days'
       END AS violation
FROM audit_contacts AS c
JOIN audit_profiles AS p USING (profile)
ASOF LEFT JOIN conversations AS v ON v.borrower_id = c.borrower_id AND c.sent_at > v.conversation_at
WHERE c.channel = 'call';
