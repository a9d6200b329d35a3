-- Adds to gate_verdicts the contacts about to be sent (gate_input: open at $now, let go by the
-- gate) that the person's caps AS OF $now no longer leave room for, with the cap reasons of
-- decide.sql (cap_sms_per_day, cap_sms_per_7_days, cap_email_per_day, cap_calls_per_7_days,
-- cap_calls_per_day, cap_contacts_per_day). Returns nothing.
-- Limits: borrower_policy as of $now (the strictest applicable profile, reduced while vulnerable).
-- Counted, per borrower AND per contact point as decide.sql counts them (same 8 local days for
-- "7 days", calls weighted by their call_outcome dial attempts known by $now): what was already
-- sent, and what is still planned and may still go (window not closed, no verdict this pass).
-- The still-planned ones are ordered as decide.sql ranks them (day, then severity, then amount,
-- then key); a contact is held back when, counting everything sent and every planned contact
-- ranked before it, it would pass a limit. Channel caps first, then the day's overall cap without
-- the contacts a channel cap just held back.
-- Nothing changed since the plan, nothing new is suppressed: the plan kept every day within these
-- limits, and since then contacts only leave the count (suppressed, failed, window missed) unless
-- new dial attempts were reported. Something changed (a `vulnerable` flag recorded after the plan,
-- a zone bringing a stricter profile, redials): the excess is held back, the lowest ranked first.
-- Why: FCA FG21/1 and the [policy.vulnerable] limits, Reg F 1006.14(b)(2) (7 calls in 7 days,
-- counting dial attempts): limits hold for what is sent, not only for what was planned.
INSERT INTO gate_verdicts (idempotency_key, reason)
WITH open_now AS (
    SELECT i.idempotency_key, i.borrower_id, a.contact_point, i.channel, i.planned_for_date AS day
    FROM gate_input AS i
    JOIN contact_attempts AS a USING (idempotency_key)
    WHERE i.idempotency_key NOT IN (SELECT idempotency_key FROM gate_verdicts)
),
dials AS (
    SELECT CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.attempt_id') END AS attempt_id,
           count(*) AS dials
    FROM borrower_events
    WHERE kind = 'call_outcome' AND occurred_at <= $now
      AND occurred_at >= (SELECT min(day) FROM open_now) - 9
    GROUP BY ALL
),
counted AS (
    SELECT a.idempotency_key, a.borrower_id, a.contact_point, a.channel, a.planned_for_date AS day,
           CASE WHEN a.channel = 'call' THEN greatest(1, coalesce(d.dials, 0)) ELSE 1 END AS weight,
           CASE WHEN a.status = 'planned' AND a.sent_at IS NULL THEN
               row_number() OVER (PARTITION BY a.status = 'planned' AND a.sent_at IS NULL
                                  ORDER BY a.planned_for_date, a.priority DESC, a.amount_due DESC NULLS LAST,
                                           a.idempotency_key)
           ELSE 0 END AS ord
    FROM contact_attempts AS a
    LEFT JOIN dials AS d USING (attempt_id)
    WHERE a.planned_for_date BETWEEN (SELECT min(day) FROM open_now) - 7 AND (SELECT max(day) FROM open_now)
      AND (a.status IN ('sent', 'delivered') OR a.sent_at IS NOT NULL
           OR (a.status = 'planned' AND a.send_before > $now
               AND a.idempotency_key NOT IN (SELECT idempotency_key FROM gate_verdicts)))
      AND (a.borrower_id IN (SELECT borrower_id FROM open_now)
           OR a.contact_point IN (SELECT contact_point FROM open_now WHERE contact_point IS NOT NULL))
),
judged AS (
    SELECT o.*, c.ord FROM open_now AS o JOIN counted AS c USING (idempotency_key)
),
by_borrower AS (
    SELECT j.idempotency_key,
           count(*) FILTER (WHERE x.channel = 'sms' AND x.day = j.day) AS sms_day,
           count(*) FILTER (WHERE x.channel = 'sms') AS sms_week,
           count(*) FILTER (WHERE x.channel = 'email' AND x.day = j.day) AS email_day,
           coalesce(sum(x.weight) FILTER (WHERE x.channel = 'call'), 0) AS calls_week,
           count(*) FILTER (WHERE x.channel = 'call' AND x.day = j.day) AS calls_day
    FROM judged AS j
    JOIN counted AS x ON x.borrower_id = j.borrower_id AND x.day BETWEEN j.day - 7 AND j.day AND x.ord <= j.ord
    GROUP BY j.idempotency_key
),
by_point AS (
    SELECT j.idempotency_key,
           count(*) FILTER (WHERE x.channel = 'sms' AND x.day = j.day) AS sms_day,
           count(*) FILTER (WHERE x.channel = 'sms') AS sms_week,
           count(*) FILTER (WHERE x.channel = 'email' AND x.day = j.day) AS email_day,
           coalesce(sum(x.weight) FILTER (WHERE x.channel = 'call'), 0) AS calls_week
    FROM judged AS j
    JOIN counted AS x ON x.contact_point = j.contact_point AND x.day BETWEEN j.day - 7 AND j.day AND x.ord <= j.ord
    GROUP BY j.idempotency_key
),
channel_capped AS (
    SELECT j.idempotency_key,
        CASE
            WHEN j.channel = 'sms' AND (b.sms_day > p.sms_per_day OR pt.sms_day > p.sms_per_day) THEN 'cap_sms_per_day'
            WHEN j.channel = 'sms' AND (b.sms_week > p.sms_per_7_days OR pt.sms_week > p.sms_per_7_days)
                THEN 'cap_sms_per_7_days'
            WHEN j.channel = 'email' AND (b.email_day > p.email_per_day OR pt.email_day > p.email_per_day)
                THEN 'cap_email_per_day'
            WHEN j.channel = 'call' AND (b.calls_week > p.calls_per_7_days OR pt.calls_week > p.calls_per_7_days)
                THEN 'cap_calls_per_7_days'
            WHEN j.channel = 'call' AND b.calls_day > p.reached_calls_per_day THEN 'cap_calls_per_day'
        END AS reason
    FROM judged AS j
    JOIN borrower_policy AS p USING (borrower_id)
    JOIN by_borrower AS b USING (idempotency_key)
    LEFT JOIN by_point AS pt USING (idempotency_key)
),
still_counted AS (
    SELECT x.* FROM counted AS x
    WHERE x.idempotency_key NOT IN (SELECT idempotency_key FROM channel_capped WHERE reason IS NOT NULL)
),
overall AS (
    SELECT j.idempotency_key, j.borrower_id,
           (SELECT count(*) FROM still_counted AS x
            WHERE x.borrower_id = j.borrower_id AND x.day = j.day AND x.ord <= j.ord) AS all_day,
           CASE WHEN j.contact_point IS NOT NULL THEN
               (SELECT count(*) FROM still_counted AS x
                WHERE x.contact_point = j.contact_point AND x.day = j.day AND x.ord <= j.ord) END AS point_all_day
    FROM judged AS j
    WHERE j.idempotency_key IN (SELECT idempotency_key FROM channel_capped WHERE reason IS NULL)
)
SELECT idempotency_key, reason FROM channel_capped WHERE reason IS NOT NULL
UNION ALL
SELECT o.idempotency_key, 'cap_contacts_per_day' AS reason
FROM overall AS o JOIN borrower_policy AS p USING (borrower_id)
WHERE o.all_day > p.contacts_per_day OR o.point_all_day > p.contacts_per_day;
