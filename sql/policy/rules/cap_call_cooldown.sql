-- cap_call_cooldown: no call for the profile's call_cooldown_days_after_conversation local days
-- after a conversation (a reached call or a promise made on the phone).
-- Why: Reg F 1006.14(b)(2): no call within 7 days after a telephone conversation about the debt.
-- Audit: call_cooldown_after_conversation.
SELECT g.idempotency_key, 'cap_call_cooldown' AS reason
FROM gate_subjects AS g
WHERE g.channel = 'call' AND g.planned_for_date <= g.last_conversation_day + g.call_cooldown_days::INTEGER;
