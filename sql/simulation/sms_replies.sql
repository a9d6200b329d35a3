-- Simulated inbound SMS for the SMS sent on local day $as_of, as WHAT each borrower means to say:
-- the simulator words it (loan_comms/simulation/phrases.py draws the text from the phrase bank).
-- Returns one row per reply: "From" (Twilio's field name: the number the SMS went to, its recorded
-- contact point through the recipients view; the borrower's primary phone for contacts recorded
-- before points were), "MessageSid", occurred_at, intent (one of phrases.DRAWABLE), language ('zh',
-- 'en' or 'mixed': zh-CN borrowers mix in English words about one reply in eight, en borrowers
-- almost never), "key" (the hash key the wording is drawn from) and sent_on (= $as_of: relative dates
-- in the reply are relative to it).
-- Rates per SMS sent (hash draws on seed and attempt): 1.2% opt-out of SMS, 0.2% opt-out of every
-- channel, 0.8% hardship, 1.7% promise (3-7 days ahead), 0.3% dispute, 0.2% wrong number, 0.2%
-- complaint, 0.3% callback, 0.4% question, 1.5% chatter (thanks, ok), 0.2% ambiguous. Those are the
-- rates at one contact in the borrower's last 7 local days: the two opt-outs are multiplied by the
-- response model's curve_at($opt_out_curve, contacts_7d) and the complaint by
-- curve_at($complaint_curve, contacts_7d) (loan_comms/simulation/response.py), the other bands only
-- move along, so at one contact every draw is what it was before the model.
-- Plus START: one in ten numbers that opted out of SMS by reply (with a recorded point) sends START
-- 2-11 days later (not triggered by an SMS: none goes to them); its date is fixed by the opt-out,
-- so replaying a day draws the same START.
WITH sent AS (
    SELECT a.attempt_id, a.sent_at, r.address AS phone_e164, b.language,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':reply')) % 100000) / 100000.0 AS r,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':mixed')) % 1000) / 1000.0 AS m,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':delay')) % 240) AS delay_min,
           -- the multipliers as decimals, so at 1.0 every band edge is exactly the rate written above
           curve_at($opt_out_curve, ci.contacts_7d)::DECIMAL(9, 6) AS ox,
           curve_at($complaint_curve, ci.contacts_7d)::DECIMAL(9, 6) AS cx
    FROM contact_attempts AS a JOIN borrowers AS b USING (borrower_id)
    JOIN recipients AS r
      ON r.borrower_id = a.borrower_id AND r.channel = 'sms'
     AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
    LEFT JOIN contact_intensity($as_of::DATE) AS ci ON ci.borrower_id = a.borrower_id
    WHERE a.planned_for_date = $as_of::DATE AND a.channel = 'sms' AND a.sent_at IS NOT NULL
),
replies AS (
    SELECT phone_e164 AS "From", 'SIM' || attempt_id AS "MessageSid",
           sent_at + to_minutes(delay_min::BIGINT) AS occurred_at,
           CASE WHEN r < 0.012 * ox THEN 'opt_out'
                WHEN r < o THEN 'opt_out_all'
                WHEN r < o + 0.008 THEN 'hardship'
                WHEN r < o + 0.025 THEN 'promise_to_pay'
                WHEN r < o + 0.028 THEN 'dispute'
                WHEN r < o + 0.030 THEN 'wrong_number'
                WHEN r < c THEN 'complaint'
                WHEN r < c + 0.003 THEN 'callback_request'
                WHEN r < c + 0.007 THEN 'question'
                WHEN r < c + 0.022 THEN 'chatter'
                ELSE 'ambiguous' END AS intent,
           CASE WHEN language = 'zh-CN' THEN (CASE WHEN m < 0.125 THEN 'mixed' ELSE 'zh' END)
                ELSE (CASE WHEN m < 0.02 THEN 'mixed' ELSE 'en' END) END AS language,
           concat($seed::VARCHAR, ':', attempt_id) AS "key"
    FROM (SELECT *, 0.014 * ox AS o,                       -- where the opt-outs end
                 0.014 * ox + 0.030 + 0.002 * cx AS c    -- where the complaints end
          FROM sent) AS banded
    WHERE r < c + 0.024
),
opted_out AS (
    SELECT e.event_id, e.occurred_at, p.address AS phone_e164, b.language, b.timezone,
           (hash(concat($seed::VARCHAR, ':', e.event_id::VARCHAR, ':start')) % 1000) / 1000.0 AS r,
           (hash(concat($seed::VARCHAR, ':', e.event_id::VARCHAR, ':start-gap')) % 10) + 2 AS gap_days
    FROM borrower_events AS e JOIN borrowers AS b USING (borrower_id)
    JOIN recipients AS p ON p.borrower_id = e.borrower_id AND p.channel = 'sms' AND p.point_id = e.contact_point
    WHERE e.kind = 'opt_out' AND e.channel = 'sms' AND e.source = 'sms_reply'
),
restarts AS (
    SELECT phone_e164 AS "From", 'SIMSTART' || event_id::VARCHAR AS "MessageSid",
           occurred_at + to_days(gap_days::INTEGER) AS occurred_at, 'opt_in' AS intent,
           CASE WHEN language = 'zh-CN' THEN 'zh' ELSE 'en' END AS language,
           concat($seed::VARCHAR, ':start:', event_id::VARCHAR) AS "key"
    FROM opted_out
    WHERE r < 0.1 AND timezone(timezone, occurred_at)::DATE + gap_days::INTEGER = $as_of::DATE
)
SELECT "From", "MessageSid", occurred_at, intent, language, "key", $as_of::DATE AS sent_on
FROM (SELECT * FROM replies UNION ALL SELECT * FROM restarts)
ORDER BY occurred_at, "MessageSid";
