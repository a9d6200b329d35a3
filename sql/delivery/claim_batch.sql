-- Claims the contacts of registered table _claim (attempt_id, provider) for dispatch pass $claim,
-- BEFORE their requests leave, and is committed on its own: each becomes sent at $now with
-- outcome_unknown, send_requested_at = $wall (the wall clock: what the provider will record) and
-- the error saying it is in flight. Should the process die before the pass writes its results
-- back (apply_results.sql), the contact is not planned any more, so no re-run sends it blindly:
-- reconciliation with the provider (reconcile_apply.sql) decides. Only planned rows move.
-- Returns nothing.
UPDATE contact_attempts AS a
SET status = 'sent', sent_at = $now, outcome_unknown = true, send_claim = $claim,
    send_requested_at = $wall, provider = c.provider, provider_message_id = NULL,
    error = 'in flight: claimed by a dispatch pass that has not recorded the answer (crashed?); '
            || 'reconciliation with the provider decides before any new try',
    updated_at = $now
FROM _claim AS c
WHERE a.attempt_id = c.attempt_id AND a.status = 'planned';
