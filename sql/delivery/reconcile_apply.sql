-- Applies reconciliation verdicts (registered table _reconciled: attempt_id, verdict, provider_message_id,
-- status, error) to contacts still sent with outcome_unknown. Returns nothing.
--   found      the provider has the message: outcome known, its id recorded; a final status the
--              provider already shows (delivered, failed) is taken at once (receipts would bring it too);
--   absent     the provider shows no such message after the configured wait: the request never
--              arrived, so the contact goes back to planned (resends + 1) and the next pass sends it
--              again if the re-check still allows it inside its window (else window_missed);
--   uncertain  the provider cannot tell yet (lookup failed, events not caught up, an unattributable
--              message to that address): it stays unknown, sent, counted for caps, the reason noted.
UPDATE contact_attempts AS a
SET status = CASE r.verdict WHEN 'absent' THEN 'planned'
                            WHEN 'found' THEN coalesce(r.status, 'sent') ELSE a.status END,
    sent_at = CASE WHEN r.verdict = 'absent' THEN NULL ELSE a.sent_at END,
    delivered_at = CASE WHEN r.verdict = 'found' AND r.status = 'delivered' THEN coalesce(a.delivered_at, $now)
                        ELSE a.delivered_at END,
    outcome_unknown = r.verdict = 'uncertain',
    provider_message_id = CASE WHEN r.verdict = 'found' THEN r.provider_message_id ELSE NULL END,
    error = r.error,
    resends = a.resends + CASE WHEN r.verdict = 'absent' THEN 1 ELSE 0 END,
    send_claim = CASE WHEN r.verdict = 'uncertain' THEN a.send_claim END,
    updated_at = $now
FROM _reconciled AS r
WHERE a.attempt_id = r.attempt_id AND a.status = 'sent' AND a.outcome_unknown;
