-- One borrower's history, oldest first: every contact considered (sent, suppressed, failed...)
-- with the rule and policy version that decided it and the exact template version, and every
-- event (payments, replies, opt-outs, call outcomes). For complaint handling: "why did we
-- contact me then, and what did it say?" Times are UTC and the borrower's local time. A contact of
-- a strategy experiment names it and its arm (arm: 'experiment/arm', NULL outside one).
WITH b AS (SELECT borrower_id, timezone FROM borrowers WHERE borrower_id = $borrower_id)
SELECT coalesce(a.sent_at, a.send_after) AS at_utc,
       timezone(b.timezone, coalesce(a.sent_at, a.send_after)) AS at_local,
       'contact' AS what, a.loan_id, a.channel, a.step AS detail, a.status,
       coalesce(a.suppressed_reason, a.error) AS reason, a.decided_by_rule AS rule, a.policy_version,
       a.template_id, a.template_version, a.attempt_id,
       CASE WHEN a.experiment IS NOT NULL THEN a.experiment || '/' || a.arm END AS arm
FROM contact_attempts AS a JOIN b USING (borrower_id)
UNION ALL
SELECT e.occurred_at, timezone(b.timezone, e.occurred_at), 'event', e.loan_id, e.channel,
       e.kind || CASE WHEN e.kind = 'call_outcome' THEN ': ' || coalesce(json_extract_string(e.detail, '$.outcome'), '?')
                      WHEN e.kind = 'promise_to_pay' THEN ': ' || coalesce(json_extract_string(e.detail, '$.promised_date'), '?')
                      WHEN e.amount IS NOT NULL THEN ': ' || e.amount::VARCHAR ELSE '' END,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM borrower_events AS e JOIN b USING (borrower_id)
ORDER BY at_utc, what;
