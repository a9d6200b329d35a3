-- call_cooldown_after_conversation: After a call in which the borrower was spoken to (a call_outcome
-- event whose outcome is a conversation, call_conversation() in sql/schema/005_macros.sql: reached,
-- promise_to_pay, hardship_request, dispute, refused, callback_requested; one event per dial
-- attempt) or a conversation the borrower started (inbound_call with detail.conversation true),
-- was the borrower called again too soon? A callback the person booked with an agent on the phone
-- (step 'callback' whose own request, the borrower's latest callback_request before the call, came
-- from the dialer on or after the conversation's local day) is their consent and not counted (Reg F
-- 1006.14(b)(3)(i)); a callback answering a later request by text is not, whatever was booked before.
-- Checked: every call attempt.
-- Violation: the borrower's latest conversation before this call happened on local day D and the
-- call was made on or before local day D + call_cooldown_days (the rest of day D included).
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH said AS (   -- each detail read once, and only when it is JSON (a malformed one is no conversation)
    SELECT e.borrower_id, e.kind, e.occurred_at,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.outcome') END AS outcome,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.conversation') END AS conversation
    FROM borrower_events AS e
    WHERE e.kind IN ('call_outcome', 'inbound_call')
),
conversations AS (
    SELECT s.borrower_id, s.occurred_at AS conversation_at,
           CASE WHEN s.kind = 'inbound_call' THEN 'inbound call' ELSE s.outcome END AS outcome
    FROM said AS s
    WHERE (s.kind = 'call_outcome' AND call_conversation(s.outcome))
       OR (s.kind = 'inbound_call' AND coalesce(s.conversation = 'true', false))
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.step, c.sent_at, c.sent_local,
       v.conversation_at, timezone(c.timezone, v.conversation_at)::DATE AS conversation_day,
       p.call_cooldown_days,
       CASE WHEN c.sent_day <= timezone(c.timezone, v.conversation_at)::DATE + p.call_cooldown_days::INTEGER
             AND NOT (c.step = 'callback'
                      AND coalesce((SELECT arg_max(q.source = 'dialer'
                                                   AND timezone(c.timezone, q.occurred_at)::DATE
                                                       >= timezone(c.timezone, v.conversation_at)::DATE,
                                                   q.occurred_at)
                                    FROM borrower_events AS q
                                    WHERE q.borrower_id = c.borrower_id AND q.kind = 'callback_request'
                                      AND q.occurred_at < c.sent_at), false))
            THEN 'called ' || (c.sent_day - timezone(c.timezone, v.conversation_at)::DATE)
                 || ' day(s) after a conversation (' || v.outcome || '); cooldown ' || p.call_cooldown_days || ' days'
       END AS violation
FROM audit_contacts AS c
JOIN audit_profiles AS p USING (profile)
ASOF LEFT JOIN conversations AS v ON v.borrower_id = c.borrower_id AND c.sent_at > v.conversation_at
WHERE c.channel = 'call';
