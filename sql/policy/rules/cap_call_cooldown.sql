-- cap_call_cooldown: no call for the profile's call_cooldown_days_after_conversation local days
-- after a conversation (a dial whose outcome is a conversation, call_conversation() in
-- sql/schema/005_macros.sql, or an inbound call that was one), except the callback the person
-- booked with the agent on the phone on or after the conversation's day (a dialer's
-- callback_requested outcome: step 'callback', borrower_flags.last_callback_request_day): "call me
-- on Thursday at 3", said to the agent, is a conversation AND the consent to that call. A callback
-- asked for by text or reply still waits for the cooldown (config [follow_ups]: "still a call under
-- the caps, quiet hours and cooldown").
-- Why: Reg F 1006.14(b)(2): no call within 7 days after a telephone conversation about the debt;
-- 1006.14(b)(3)(i): a call the consumer consented to directly within the past 7 days is not counted
-- (the request is at most 7 days old whenever the cooldown applies: it is not before the conversation).
-- Audit: call_cooldown_after_conversation, dial_times.
SELECT g.idempotency_key, 'cap_call_cooldown' AS reason
FROM gate_subjects AS g
LEFT JOIN borrower_flags AS bf USING (borrower_id)
WHERE g.channel = 'call' AND g.planned_for_date <= g.last_conversation_day + g.call_cooldown_days::INTEGER
  AND NOT (g.step = 'callback' AND coalesce(bf.last_callback_request_day >= g.last_conversation_day, false));
