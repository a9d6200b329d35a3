-- Sends a receipt in receipt_matches proves the provider holds (any status, progress ones
-- included) are settled. Run before receipts_apply.sql, which may then move the status. A
-- re-ingested file changes nothing. Returns how many contacts it settled.
--   * an unknown send (outcome_unknown: the answer lost, a 5xx, a pass that died in flight): its
--     provider_message_id filled in from the receipt when it had none (the latest receipt carrying
--     one), outcome_unknown and the error (the "outcome unknown" note) cleared;
--   * a contact reconciliation had concluded absent (resends > 0) and put back to planned, or that
--     the re-check then suppressed as window_missed: the first request did arrive after all, so it
--     is sent (at its first claim's instant, claimed_at), with that message's id, and is not sent
--     again. Had it been sent again already, the audit rule sent_once shows the two messages.
UPDATE contact_attempts AS a
SET provider_message_id = coalesce(CASE WHEN a.status = 'sent' THEN a.provider_message_id END, s.provider_message_id),
    outcome_unknown = false,
    error = NULL,
    status = CASE WHEN a.status IN ('planned', 'suppressed') THEN 'sent' ELSE a.status END,
    sent_at = CASE WHEN a.status IN ('planned', 'suppressed') THEN coalesce(a.claimed_at, a.send_after) ELSE a.sent_at END,
    suppressed_reason = CASE WHEN a.status IN ('planned', 'suppressed') THEN NULL ELSE a.suppressed_reason END,
    updated_at = $now
FROM (SELECT matched_id,
             arg_max(provider_message_id, seq) FILTER (WHERE provider_message_id IS NOT NULL) AS provider_message_id
      FROM receipt_matches WHERE matched_id IS NOT NULL GROUP BY matched_id) AS s
WHERE a.attempt_id = s.matched_id
  AND (coalesce(a.outcome_unknown, false)
       OR (coalesce(a.resends, 0) > 0
           AND (a.status = 'planned' OR (a.status = 'suppressed' AND a.suppressed_reason = 'window_missed'))));
