-- cap_call_cooldown: no call for the profile's call_cooldown_days_after_conversation local days
-- after a conversation (a dial whose outcome is a conversation, call_conversation() in
-- sql/schema/005_macros.sql, or an inbound call that was one), except the callback the person
-- booked with the agent on the phone on or after the conversation's day: step 'callback' AND its
-- OWN request, the borrower's latest callback_request by $now (the one the callback answers,
-- reply_follow_ups.sql), came from the dialer (a callback_requested outcome) on or after the
-- conversation's local day: "call me on Thursday at 3", said to the agent, is a conversation AND
-- the consent to that call. A callback asked for by text or reply still waits for the cooldown
-- (config [follow_ups]: "still a call under the caps, quiet hours and cooldown"), also when some
-- earlier callback was booked on the phone (review 16, item e).
-- Why: Reg F 1006.14(b)(2): no call within 7 days after a telephone conversation about the debt;
-- 1006.14(b)(3)(i): a call the consumer consented to directly within the past 7 days is not counted
-- (the request is at most 7 days old whenever the cooldown applies: it is not before the conversation).
-- Audit: call_cooldown_after_conversation, dial_times.
WITH own_request AS (   -- each borrower's latest callback_request by $now: where it came from, its local day
    SELECT e.borrower_id, arg_max(e.source, e.occurred_at) AS source,
           arg_max(timezone(coalesce(b.timezone, 'UTC'), e.occurred_at)::DATE, e.occurred_at) AS day
    FROM borrower_events AS e
    JOIN borrowers AS b USING (borrower_id)
    WHERE e.kind = 'callback_request' AND e.occurred_at <= $now
      AND e.borrower_id IN (SELECT borrower_id FROM gate_subjects WHERE step = 'callback')
    GROUP BY e.borrower_id
)
SELECT g.idempotency_key, 'cap_call_cooldown' AS reason
FROM gate_subjects AS g
LEFT JOIN own_request AS r USING (borrower_id)
WHERE g.channel = 'call' AND g.planned_for_date <= g.last_conversation_day + g.call_cooldown_days::INTEGER
  AND NOT (g.step = 'callback' AND coalesce(r.source = 'dialer' AND r.day >= g.last_conversation_day, false));
