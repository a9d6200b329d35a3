-- dial_times: Did the dialer keep to what it was given, judged at the time each dial actually
-- happened (a call contact is released to the dialer at its window's opening; the dials come
-- later, one call_outcome event each, redials included)?
--   * every dial falls inside the window its call was released with (send_after .. send_before);
--   * no dial follows a conversation with the borrower (a dial whose outcome is a conversation,
--     call_conversation() in sql/schema/005_macros.sql, or an inbound call that was a conversation)
--     within the profile's call_cooldown_days, counted in the borrower's local days from the
--     conversation's day; the conversation's own dial excepted, and the dials of the callback the
--     person booked with an agent on the phone on or after that day (step 'callback', a dialer's
--     callback_request that is the callback's own, i.e. the borrower's latest before the dial:
--     consent, Reg F 1006.14(b)(3)(i)).
-- Why: Reg F 1006.6(b)(1) (inconvenient times) and 1006.14(b)(2)(i)(B) (no call within 7 days
-- after a telephone conversation): a rule judged only at release time would miss a second call
-- of the day dialled after the first one reached the person, or a redial late in the evening.
-- Checked: every dial attempt the dialer reported for a call we made.
-- Violation: the first of the two problems above that applies.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH said AS (   -- each detail read once, and only when it is JSON (a malformed one names no call)
    SELECT e.event_id, e.borrower_id, e.kind, e.occurred_at,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.attempt_id') END AS attempt_id,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.outcome') END AS outcome,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.conversation') END AS conversation
    FROM borrower_events AS e
    WHERE e.kind IN ('call_outcome', 'inbound_call')
),
dials AS (
    SELECT s.event_id, a.attempt_id, a.borrower_id, a.loan_id, a.step, s.occurred_at AS dialled_at,
           s.outcome, a.send_after, a.send_before, b.timezone,
           coalesce(p.profile, 'default') AS profile
    FROM said AS s
    JOIN contact_attempts AS a ON a.attempt_id = s.attempt_id
    LEFT JOIN borrowers AS b ON b.borrower_id = a.borrower_id
    LEFT JOIN audit_profiles AS p ON p.profile = b.jurisdiction
    WHERE s.kind = 'call_outcome' AND a.channel = 'call'
),
conversations AS (
    SELECT s.borrower_id, s.occurred_at
    FROM said AS s
    WHERE (s.kind = 'call_outcome' AND call_conversation(s.outcome))
       OR (s.kind = 'inbound_call' AND coalesce(s.conversation = 'true', false))
)
SELECT d.attempt_id, d.borrower_id, d.loan_id, d.step, d.outcome, d.dialled_at,
       timezone(d.timezone, d.dialled_at) AS dialled_local, v.occurred_at AS conversation_at,
       p.call_cooldown_days,
       CASE
           WHEN d.send_after IS NULL OR d.dialled_at < d.send_after OR d.dialled_at >= d.send_before
               THEN 'dialled at ' || strftime(timezone(d.timezone, d.dialled_at), '%Y-%m-%d %H:%M')
                    || ' local, outside the window the call was released with'
           WHEN v.occurred_at IS NOT NULL
            AND timezone(d.timezone, d.dialled_at)::DATE
                <= timezone(d.timezone, v.occurred_at)::DATE + p.call_cooldown_days::INTEGER
            AND NOT (d.step = 'callback'
                     AND coalesce((SELECT arg_max(q.source = 'dialer'
                                                  AND timezone(d.timezone, q.occurred_at)::DATE
                                                      >= timezone(d.timezone, v.occurred_at)::DATE,
                                                  q.occurred_at)
                                   FROM borrower_events AS q
                                   WHERE q.borrower_id = d.borrower_id AND q.kind = 'callback_request'
                                     AND q.occurred_at <= d.dialled_at), false))
               THEN 'dialled ' || strftime(timezone(d.timezone, d.dialled_at), '%Y-%m-%d %H:%M')
                    || ' local, after a conversation at '
                    || strftime(timezone(d.timezone, v.occurred_at), '%Y-%m-%d %H:%M')
                    || ' (cooldown ' || p.call_cooldown_days || ' days)'
       END AS violation
FROM dials AS d
JOIN audit_profiles AS p USING (profile)
ASOF LEFT JOIN conversations AS v ON v.borrower_id = d.borrower_id AND d.dialled_at > v.occurred_at;
