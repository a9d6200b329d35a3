-- nothing_lost: Is every contact the system ever considered accounted for, as of $now?
--   * planned contacts must still be able to go: their window closes after $now (a planned row
--     whose window has passed should have become suppressed/window_missed, never sent late);
--   * suppressed contacts must say why (suppressed_reason);
--   * sent or delivered contacts must say when (sent_at); failed ones must say what went wrong (error);
--   * a contact that was attempted (sent_at) cannot be planned or suppressed (status only moves forward);
--   * every decision must name the rule and the policy version that made it;
--   * a message the outbox provider accepted must belong to an attempt recorded as attempted;
--   * a contact lost to a delivery failure is a violation: it was tried (send_tries > 0) or held
--     back by a failing provider (a send error recorded) and its window then closed unsent
--     (window_missed). A day with a provider outage fails this rule: that is the point.
-- Checked: every row of contact_attempts, whatever its status.
-- Violation: the first of the problems above that applies.
CREATE OR REPLACE TEMP TABLE audit_rows AS
SELECT a.attempt_id, a.borrower_id, a.loan_id, a.channel, a.purpose, a.step, a.status,
       a.suppressed_reason, a.decided_by_rule, a.policy_version, a.planned_for_date,
       a.send_before, a.sent_at, $now::TIMESTAMPTZ AS audited_as_of,
       CASE
           WHEN a.status = 'planned' AND a.send_before IS NULL THEN 'planned without a window'
           WHEN a.status = 'planned' AND a.send_before <= $now::TIMESTAMPTZ
               THEN 'still planned although its window closed at ' || strftime(a.send_before, '%Y-%m-%d %H:%M')
                    || ' UTC: neither sent nor marked window_missed'
           WHEN a.status = 'suppressed' AND nullif(trim(a.suppressed_reason), '') IS NULL
               THEN 'suppressed without a reason'
           WHEN a.status IN ('sent', 'delivered') AND a.sent_at IS NULL THEN a.status || ' without sent_at'
           WHEN a.status IN ('planned', 'suppressed') AND a.sent_at IS NOT NULL
               THEN 'attempted at ' || strftime(a.sent_at, '%Y-%m-%d %H:%M') || ' UTC but recorded as ' || a.status
           WHEN a.status = 'failed' AND nullif(trim(a.error), '') IS NULL THEN 'failed without an error'
           WHEN a.decided_by_rule IS NULL OR a.policy_version IS NULL
               THEN 'decision does not record its rule and policy version'
           WHEN a.sent_at IS NULL AND EXISTS (SELECT 1 FROM outbox_messages AS o WHERE o.attempt_id = a.attempt_id)
               THEN 'the outbox sent it but the attempt is not recorded as sent'
           WHEN a.status = 'suppressed' AND a.suppressed_reason = 'window_missed'
                AND (a.send_tries > 0 OR a.error IS NOT NULL)
               THEN 'lost to a delivery failure: tried ' || a.send_tries || ' time(s), window closed unsent (last error: '
                    || left(coalesce(a.error, 'none recorded'), 120) || ')'
       END AS violation
FROM contact_attempts AS a;
