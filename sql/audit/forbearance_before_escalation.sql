-- forbearance_before_escalation: Where the borrower's profile asks for forbearance before
-- escalation (policy.profiles.*.forbearance_before_escalation: uk, and default as the strictest),
-- was the borrower offered a repayment plan or a break before the ladder went past its first step?
-- The offer is the follow-up forbearance_offer of the same delinquency episode; one that could
-- never be delivered (no recipient, channel opted out) counts as offered.
-- Checked: every attempted escalation contact past the ladder's first step, for such borrowers.
-- Violation: no forbearance_offer of the same episode was sent before it (or recorded as
-- undeliverable on an earlier day).
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH offers AS (
    SELECT episode_id, min(coalesce(sent_at, timezone('UTC', planned_for_date + TIME '23:59:59'))) AS offered_at
    FROM contact_attempts
    WHERE step = 'forbearance_offer'
      AND (sent_at IS NOT NULL OR suppressed_reason = 'no_recipient' OR suppressed_reason LIKE 'opted_out_%')
    GROUP BY episode_id
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.episode_id, c.channel, c.step, l.rank AS ladder_rank,
       c.sent_at, o.offered_at,
       CASE WHEN o.offered_at IS NULL OR o.offered_at >= c.sent_at
            THEN 'ladder step ' || l.rank || ' (' || c.step || ') made before any forbearance offer in episode '
                 || coalesce(c.episode_id, '?')
       END AS violation
FROM audit_contacts AS c
JOIN audit_ladder AS l ON l.step = c.step
JOIN audit_profiles AS p ON p.profile = c.profile
LEFT JOIN offers AS o ON o.episode_id = c.episode_id
WHERE c.purpose = 'escalation' AND l.rank > 1 AND p.forbearance;
