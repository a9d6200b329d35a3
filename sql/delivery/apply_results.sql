-- Writes one batch's send results (registered table _dispatch_results: attempt_id, outcome
-- sent|failed|retry|unknown, provider, provider_message_id, error, tries) back to contact_attempts.
-- sent: sent_at = $now; failed: permanent, with the provider's error; retry: stays planned with
-- send_tries counted and the error noted; unknown (the request may have reached the provider):
-- recorded as sent at $now with outcome_unknown, no provider id and the error saying why, so it
-- counts for caps and the audit and is never sent again. Only rows still planned move. Returns nothing.
UPDATE contact_attempts AS a
SET status = CASE r.outcome WHEN 'sent' THEN 'sent' WHEN 'unknown' THEN 'sent' WHEN 'failed' THEN 'failed'
                            ELSE 'planned' END,
    sent_at = CASE WHEN r.outcome IN ('sent', 'unknown') THEN $now ELSE a.sent_at END,
    provider = r.provider,
    provider_message_id = CASE WHEN r.outcome = 'unknown' THEN NULL
                               ELSE coalesce(r.provider_message_id, a.provider_message_id) END,
    error = CASE WHEN r.outcome = 'sent' THEN NULL ELSE r.error END,
    outcome_unknown = r.outcome = 'unknown',
    send_tries = a.send_tries + r.tries,
    updated_at = $now
FROM _dispatch_results AS r
WHERE a.attempt_id = r.attempt_id AND a.status = 'planned';
