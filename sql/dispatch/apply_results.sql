-- Writes one batch's send results (registered table _dispatch_results: attempt_id, outcome
-- sent|failed|retry, provider, provider_message_id, error, tries) back to contact_attempts.
-- sent: sent_at = $now; failed: permanent, with the provider's error; retry: stays planned with
-- send_tries counted and the error noted. Only rows still planned move. Returns nothing.
UPDATE contact_attempts AS a
SET status = CASE r.outcome WHEN 'sent' THEN 'sent' WHEN 'failed' THEN 'failed' ELSE 'planned' END,
    sent_at = CASE WHEN r.outcome = 'sent' THEN $now ELSE a.sent_at END,
    provider = r.provider,
    provider_message_id = coalesce(r.provider_message_id, a.provider_message_id),
    error = CASE WHEN r.outcome = 'sent' THEN NULL ELSE r.error END,
    send_tries = a.send_tries + r.tries,
    updated_at = $now
FROM _dispatch_results AS r
WHERE a.attempt_id = r.attempt_id AND a.status = 'planned';
