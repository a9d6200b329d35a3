-- dial_after_withdrawal: Was any dial placed on a call we had decided must not go: one never
-- released (its contact suppressed, carried, failed or still planned: sent_at empty), one the
-- policy withdrew after its release (call_withdrawals, at or before the dial), or one the dialer
-- confirmed cancelled (dialer_pushes state 'cancelled', cancelled_at at or before the dial)?
-- A dial is a call_outcome event naming the call (detail.attempt_id); the dialer may have placed it
-- in the gap between our decision and its DELETE, or ignored the DELETE: either way the borrower was
-- called, it counts under the caps (sql/inbound/events/calls_made.sql keeps every dial on a call
-- pushed to a dialer) and a person must see it.
-- Why: issue 16 review items 1 and 3: a call the borrower stopped (paid, cease-contact, STOP,
-- dispute, hand-off, wrong number) must not be dialled, and a dial the dialer made anyway must be in
-- the log, not thrown away at ingest. Independent of dial_attempts (what an ASSIGNED call allowed):
-- this reads the contact's release, the withdrawals and the dialer's cancels, and nothing the
-- policy computes.
-- Checked: every dial naming a call contact (contact_attempts channel 'call').
-- Violation: the first that applies: never released; dialled after the policy withdrew it; dialled
-- after the dialer confirmed its cancel.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH dials AS (
    SELECT e.event_id, e.occurred_at AS dialled_at,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.attempt_id') END AS attempt_id,
           CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.outcome') END AS outcome
    FROM borrower_events AS e
    WHERE e.kind = 'call_outcome'
)
SELECT a.attempt_id, a.borrower_id, a.loan_id, a.step, d.outcome, d.dialled_at, a.status, a.sent_at,
       ca.outcome AS assignment, w.reason AS withdrawn_for, w.withdrawn_at, p.state AS dialer_state, p.cancelled_at,
       CASE
           WHEN a.sent_at IS NULL
               THEN 'dialled at ' || strftime(d.dialled_at, '%Y-%m-%d %H:%M') || ' UTC, a call never released (its contact is '
                    || a.status || coalesce(': ' || a.suppressed_reason, '')
                    || CASE WHEN ca.outcome = 'carried' THEN ', carried: ' || coalesce(ca.reason, '?') ELSE '' END || ')'
           WHEN w.withdrawn_at IS NOT NULL AND w.withdrawn_at <= d.dialled_at
               THEN 'dialled at ' || strftime(d.dialled_at, '%Y-%m-%d %H:%M') || ' UTC, after the policy withdrew it at '
                    || strftime(w.withdrawn_at, '%Y-%m-%d %H:%M') || ' UTC (' || w.reason || ')'
           WHEN p.state = 'cancelled' AND p.cancelled_at <= d.dialled_at
               THEN 'dialled at ' || strftime(d.dialled_at, '%Y-%m-%d %H:%M') || ' UTC, after the dialer confirmed its cancel at '
                    || strftime(p.cancelled_at, '%Y-%m-%d %H:%M') || ' UTC (' || coalesce(p.cancel_reason, '?') || ')'
       END AS violation
FROM dials AS d
JOIN contact_attempts AS a ON a.attempt_id = d.attempt_id AND a.channel = 'call'
LEFT JOIN call_assignments AS ca ON ca.attempt_id = a.attempt_id
LEFT JOIN call_withdrawals AS w ON w.attempt_id = a.attempt_id
LEFT JOIN dialer_pushes AS p ON p.attempt_id = a.attempt_id;
