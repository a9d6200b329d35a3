-- decisions: today's new candidates (those not already recorded under their idempotency key),
-- each with the policy's verdict: 'planned' with its contact window in UTC, or 'suppressed' with
-- the reason. Order of rules: the gate (gate_verdicts), then per-channel caps, then the overall
-- daily cap. Where caps force a choice the highest severity, then the largest amount, goes first.
-- Counts already used come from contact_attempts: planned or attempted contacts in the window.
-- Rolling "7 days" counts the last 8 local days so no 7x24h window can ever exceed the cap.
-- The limits are the person's (borrower_policy: the strictest profile that applies, reduced while
-- vulnerable), and the window is the intersection over every plausible zone (gate_subjects'
-- send_after / send_before from contact_windows; Reg F 1006.6(b)(1) comment 2).
CREATE OR REPLACE TEMP TABLE decisions AS
WITH fresh AS (
    SELECT c.*, b.timezone, b.language AS borrower_language, p.profile
    FROM candidates AS c
    JOIN borrowers AS b USING (borrower_id)
    JOIN borrower_policy AS p USING (borrower_id)
    WHERE NOT EXISTS (SELECT 1 FROM contact_attempts AS a WHERE a.idempotency_key = c.idempotency_key)
),
used AS (
    SELECT a.borrower_id,
           count(*) FILTER (WHERE channel = 'sms' AND planned_for_date = $as_of::DATE) AS sms_day,
           count(*) FILTER (WHERE channel = 'sms') AS sms_week,
           count(*) FILTER (WHERE channel = 'email' AND planned_for_date = $as_of::DATE) AS email_day,
           count(*) FILTER (WHERE channel = 'call') AS calls_week,
           count(*) FILTER (WHERE channel = 'call' AND planned_for_date = $as_of::DATE) AS calls_day,
           count(*) FILTER (WHERE planned_for_date = $as_of::DATE) AS all_day
    FROM contact_attempts AS a
    WHERE a.planned_for_date BETWEEN $as_of::DATE - 7 AND $as_of::DATE
      AND (a.status IN ('planned', 'sent', 'delivered') OR a.sent_at IS NOT NULL)
      AND a.borrower_id IN (SELECT borrower_id FROM fresh)
    GROUP BY a.borrower_id
),
gated AS (
    SELECT f.*, v.reason AS gate_reason
    FROM fresh AS f LEFT JOIN gate_verdicts AS v USING (idempotency_key)
),
channel_ranked AS (
    SELECT g.*,
           row_number() OVER (PARTITION BY g.borrower_id, g.channel
                              ORDER BY g.severity DESC, g.amount_due DESC NULLS LAST, g.idempotency_key) AS channel_rank
    FROM gated AS g WHERE g.gate_reason IS NULL
),
channel_capped AS (
    SELECT r.*,
        CASE
            WHEN r.channel = 'sms' AND coalesce(u.sms_day, 0) + r.channel_rank > p.sms_per_day THEN 'cap_sms_per_day'
            WHEN r.channel = 'sms' AND coalesce(u.sms_week, 0) + r.channel_rank > p.sms_per_7_days THEN 'cap_sms_per_7_days'
            WHEN r.channel = 'email' AND coalesce(u.email_day, 0) + r.channel_rank > p.email_per_day THEN 'cap_email_per_day'
            WHEN r.channel = 'call' AND coalesce(u.calls_week, 0) + r.channel_rank > p.calls_per_7_days THEN 'cap_calls_per_7_days'
            WHEN r.channel = 'call' AND coalesce(u.calls_day, 0) + r.channel_rank > p.reached_calls_per_day THEN 'cap_calls_per_day'
        END AS cap_reason
    FROM channel_ranked AS r
    JOIN borrower_policy AS p USING (borrower_id)
    LEFT JOIN used AS u USING (borrower_id)
),
overall_ranked AS (
    SELECT c.*,
           row_number() OVER (PARTITION BY c.borrower_id
                              ORDER BY c.severity DESC, c.amount_due DESC NULLS LAST, c.idempotency_key) AS overall_rank
    FROM channel_capped AS c WHERE c.cap_reason IS NULL
),
verdicts AS (
    SELECT idempotency_key, gate_reason AS reason FROM gated WHERE gate_reason IS NOT NULL
    UNION ALL
    SELECT idempotency_key, cap_reason FROM channel_capped WHERE cap_reason IS NOT NULL
    UNION ALL
    SELECT o.idempotency_key,
           CASE WHEN coalesce(u.all_day, 0) + o.overall_rank > p.contacts_per_day THEN 'cap_contacts_per_day' END
    FROM overall_ranked AS o
    JOIN borrower_policy AS p USING (borrower_id)
    LEFT JOIN used AS u USING (borrower_id)
)
SELECT f.*,
       CASE WHEN v.reason IS NULL THEN 'planned' ELSE 'suppressed' END AS status,
       v.reason AS suppressed_reason,
       coalesce(v.reason, 'allowed') AS decided_by_rule,
       w.send_after,
       w.send_before
FROM fresh AS f
JOIN verdicts AS v USING (idempotency_key)
JOIN gate_subjects AS w USING (idempotency_key);
