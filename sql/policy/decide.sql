-- decisions: today's new candidates (those not already recorded under their idempotency key),
-- each with the policy's verdict: 'planned' with its contact window in UTC, or 'suppressed' with
-- the reason. Order of rules: the gate (gate_verdicts), then per-channel caps, then the overall
-- daily cap. Where caps force a choice the highest severity, then the largest amount, goes first.
-- Counts already used come from contact_attempts: planned or attempted contacts in the window.
-- Rolling "7 days" counts the last 8 local days so no 7x24h window can ever exceed the cap.
-- The limits are the person's (borrower_policy: the strictest profile that applies, reduced while
-- vulnerable), and the window is the intersection over every plausible zone (gate_subjects'
-- send_after / send_before from contact_windows; Reg F 1006.6(b)(1) comment 2).
-- Caps count per borrower AND per contact point (contact_point: gate_subjects' choice, recorded on
-- the contact): a number shared by two borrowers gets at most one borrower's caps in total (the
-- caps of the contact's own profile), with the same reasons (cap_sms_per_day, ...): rank and count
-- per point as per borrower; a contact held back by either is suppressed (over-suppression at
-- worst, never over-sending). Calls count DIAL ATTEMPTS: a call contact counts max(1, its
-- call_outcome events) (one per dial attempt, redials included; Reg F 1006.14(b)(2) counts
-- placing a call). Why: issue 11 case 3.
-- Home visits: one per borrower per local day (cap_visits_per_day), whatever the number of loans: a
-- second pair at the door the same day, for another loan, is the pressure CONC 7.9 forbids, and the
-- first visit may already have heard hardship or a dispute the second could not know of. The loan
-- whose visit is held back is tried again on a later day. Found by a 90-day simulation (issue 19).
-- Calls per local day: one per borrower where the profile has a cooldown after a conversation
-- (every shipped profile): the dialer works a day's calls in its own order, so a second call the
-- same day could be dialled after the first one reached the person, which the cooldown forbids
-- (Reg F 1006.14(b)(2)(i)(B)); reached_calls_per_day applies only where there is no cooldown.
-- A callback the borrower asked for at given hours (reply_follow_ups.window_from / window_to, local
-- on the timezone on file) goes within them where they overlap the allowed window; where they do
-- not, in the allowed window (the person asked for a call; quiet hours still win).
CREATE OR REPLACE TEMP TABLE decisions AS
WITH fresh AS (
    SELECT c.*, s.contact_point, b.timezone, b.language AS borrower_language, p.profile
    FROM candidates AS c
    JOIN borrowers AS b USING (borrower_id)
    JOIN borrower_policy AS p USING (borrower_id)
    LEFT JOIN gate_subjects AS s USING (idempotency_key)
    -- a key names its day (contact_key) and a contact is recorded on the day of its key: only the
    -- day's own rows of the log can hold it (the log's other days are not read)
    WHERE NOT EXISTS (SELECT 1 FROM contact_attempts AS a
                      WHERE a.planned_for_date = $as_of::DATE AND a.idempotency_key = c.idempotency_key)
),
recent AS (
    SELECT a.borrower_id, a.contact_point, a.channel, a.planned_for_date,
           CASE WHEN a.channel = 'call' THEN greatest(1, coalesce(d.dials, 0)) ELSE 1 END AS weight
    FROM contact_attempts AS a
    LEFT JOIN (SELECT CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.attempt_id') END AS attempt_id, count(*) AS dials
               FROM borrower_events
               WHERE kind = 'call_outcome' AND occurred_at >= $as_of::DATE - 9
               GROUP BY ALL) AS d USING (attempt_id)
    WHERE a.planned_for_date BETWEEN $as_of::DATE - 7 AND $as_of::DATE
      AND (a.status IN ('planned', 'sent', 'delivered') OR a.sent_at IS NOT NULL)
      AND (a.borrower_id IN (SELECT borrower_id FROM fresh) OR a.contact_point IN (SELECT contact_point FROM fresh))
),
used AS (
    SELECT borrower_id,
           count(*) FILTER (WHERE channel = 'sms' AND planned_for_date = $as_of::DATE) AS sms_day,
           count(*) FILTER (WHERE channel = 'sms') AS sms_week,
           count(*) FILTER (WHERE channel = 'email' AND planned_for_date = $as_of::DATE) AS email_day,
           coalesce(sum(weight) FILTER (WHERE channel = 'call'), 0) AS calls_week,
           count(*) FILTER (WHERE channel = 'call' AND planned_for_date = $as_of::DATE) AS calls_day,
           count(*) FILTER (WHERE channel = 'visit' AND planned_for_date = $as_of::DATE) AS visits_day,
           count(*) FILTER (WHERE planned_for_date = $as_of::DATE) AS all_day
    FROM recent GROUP BY borrower_id
),
used_point AS (
    SELECT contact_point,
           count(*) FILTER (WHERE channel = 'sms' AND planned_for_date = $as_of::DATE) AS sms_day,
           count(*) FILTER (WHERE channel = 'sms') AS sms_week,
           count(*) FILTER (WHERE channel = 'email' AND planned_for_date = $as_of::DATE) AS email_day,
           coalesce(sum(weight) FILTER (WHERE channel = 'call'), 0) AS calls_week,
           count(*) FILTER (WHERE planned_for_date = $as_of::DATE) AS all_day
    FROM recent WHERE contact_point IS NOT NULL GROUP BY contact_point
),
gated AS (
    SELECT f.*, v.reason AS gate_reason
    FROM fresh AS f LEFT JOIN gate_verdicts AS v USING (idempotency_key)
),
channel_ranked AS (
    SELECT g.*,
           row_number() OVER (PARTITION BY g.borrower_id, g.channel
                              ORDER BY g.severity DESC, g.amount_due DESC NULLS LAST, g.idempotency_key) AS channel_rank,
           CASE WHEN g.contact_point IS NOT NULL THEN
               row_number() OVER (PARTITION BY g.contact_point, g.channel
                                  ORDER BY g.severity DESC, g.amount_due DESC NULLS LAST, g.idempotency_key) END
               AS point_rank
    FROM gated AS g WHERE g.gate_reason IS NULL
),
channel_capped AS (
    SELECT r.*,
        CASE
            WHEN r.channel = 'sms' AND (coalesce(u.sms_day, 0) + r.channel_rank > p.sms_per_day
                                        OR coalesce(up.sms_day, 0) + r.point_rank > p.sms_per_day) THEN 'cap_sms_per_day'
            WHEN r.channel = 'sms' AND (coalesce(u.sms_week, 0) + r.channel_rank > p.sms_per_7_days
                                        OR coalesce(up.sms_week, 0) + r.point_rank > p.sms_per_7_days) THEN 'cap_sms_per_7_days'
            WHEN r.channel = 'email' AND (coalesce(u.email_day, 0) + r.channel_rank > p.email_per_day
                                          OR coalesce(up.email_day, 0) + r.point_rank > p.email_per_day) THEN 'cap_email_per_day'
            WHEN r.channel = 'call' AND (coalesce(u.calls_week, 0) + r.channel_rank > p.calls_per_7_days
                                         OR coalesce(up.calls_week, 0) + r.point_rank > p.calls_per_7_days) THEN 'cap_calls_per_7_days'
            WHEN r.channel = 'call' AND coalesce(u.calls_day, 0) + r.channel_rank
                     > CASE WHEN p.call_cooldown_days > 0 THEN 1 ELSE p.reached_calls_per_day END THEN 'cap_calls_per_day'
            WHEN r.channel = 'visit' AND coalesce(u.visits_day, 0) + r.channel_rank > 1 THEN 'cap_visits_per_day'
        END AS cap_reason
    FROM channel_ranked AS r
    JOIN borrower_policy AS p USING (borrower_id)
    LEFT JOIN used AS u USING (borrower_id)
    LEFT JOIN used_point AS up USING (contact_point)
),
overall_ranked AS (
    SELECT c.*,
           row_number() OVER (PARTITION BY c.borrower_id
                              ORDER BY c.severity DESC, c.amount_due DESC NULLS LAST, c.idempotency_key) AS overall_rank,
           CASE WHEN c.contact_point IS NOT NULL THEN
               row_number() OVER (PARTITION BY c.contact_point
                                  ORDER BY c.severity DESC, c.amount_due DESC NULLS LAST, c.idempotency_key) END
               AS point_overall_rank
    FROM channel_capped AS c WHERE c.cap_reason IS NULL
),
asked AS (
    SELECT f.idempotency_key,
           greatest(s.send_after, coalesce(timezone(f.timezone, $as_of::DATE + r.window_from), s.send_after)) AS send_after,
           least(s.send_before, coalesce(timezone(f.timezone, $as_of::DATE + r.window_to), s.send_before)) AS send_before
    FROM fresh AS f
    JOIN reply_follow_ups AS r USING (idempotency_key)
    JOIN gate_subjects AS s USING (idempotency_key)
    WHERE r.window_from IS NOT NULL OR r.window_to IS NOT NULL
),
verdicts AS (
    SELECT idempotency_key, gate_reason AS reason FROM gated WHERE gate_reason IS NOT NULL
    UNION ALL
    SELECT idempotency_key, cap_reason FROM channel_capped WHERE cap_reason IS NOT NULL
    UNION ALL
    SELECT o.idempotency_key,
           CASE WHEN coalesce(u.all_day, 0) + o.overall_rank > p.contacts_per_day
                  OR coalesce(up.all_day, 0) + o.point_overall_rank > p.contacts_per_day THEN 'cap_contacts_per_day' END
    FROM overall_ranked AS o
    JOIN borrower_policy AS p USING (borrower_id)
    LEFT JOIN used AS u USING (borrower_id)
    LEFT JOIN used_point AS up USING (contact_point)
)
SELECT f.*,
       CASE WHEN v.reason IS NULL THEN 'planned' ELSE 'suppressed' END AS status,
       v.reason AS suppressed_reason,
       coalesce(v.reason, 'allowed') AS decided_by_rule,
       -- a letter when the zones share no hour: the window on the clock of the timezone on file
       CASE WHEN f.channel = 'letter' AND NOT coalesce(w.send_after < w.send_before, false)
            THEN timezone(f.timezone, $as_of::DATE + p.window_start)
            WHEN ak.send_after < ak.send_before THEN ak.send_after ELSE w.send_after END AS send_after,
       CASE WHEN f.channel = 'letter' AND NOT coalesce(w.send_after < w.send_before, false)
            THEN timezone(f.timezone, $as_of::DATE + p.window_end)
            WHEN ak.send_after < ak.send_before THEN ak.send_before ELSE w.send_before END AS send_before
FROM fresh AS f
JOIN verdicts AS v USING (idempotency_key)
JOIN gate_subjects AS w USING (idempotency_key)
JOIN borrower_policy AS p ON p.borrower_id = f.borrower_id
LEFT JOIN asked AS ak ON ak.idempotency_key = f.idempotency_key;
