-- Claims the contacts of registered table _claim (attempt_id, provider, account) for dispatch pass
-- $claim, BEFORE their requests leave, and is committed on its own: each becomes sent at $now with
-- outcome_unknown, send_requested_at = $wall (the wall clock: what the provider will record; the
-- write-back moves it to the end of the batch for a send left unknown), send_account = the provider
-- account, claimed_at = $now the first time, and the error saying it is in flight. Should the process
-- die before the pass writes its results back (apply_results.sql), the contact is not planned any
-- more, so no re-run sends it blindly: reconciliation with the provider (reconcile_apply.sql)
-- decides. Only planned rows move. Returns the attempt_id of each contact claimed: only those are sent.
UPDATE contact_attempts AS a
SET status = 'sent', sent_at = $now, outcome_unknown = true, send_claim = $claim,
    send_requested_at = $wall, provider = c.provider, send_account = c.account, provider_message_id = NULL,
    claimed_at = coalesce(a.claimed_at, $now),
    error = 'in flight: claimed by a dispatch pass that has not recorded the answer (crashed?); '
            || 'reconciliation with the provider decides before any new try',
    updated_at = $now
FROM _claim AS c
WHERE a.attempt_id = c.attempt_id AND a.status = 'planned'
RETURNING a.attempt_id;
