-- Sends whose outcome was unknown (the answer lost: outcome_unknown) that a receipt in
-- receipt_matches belongs to (any status, progress ones included: each proves the provider holds
-- the message) are resolved: provider_message_id filled in from the receipt when the contact had
-- none (the latest receipt carrying one), outcome_unknown cleared, the error (the "outcome
-- unknown" note) cleared. Run before receipts_apply.sql, which may then move the status. A
-- re-ingested file changes nothing. Returns how many sends it resolved.
UPDATE contact_attempts AS a
SET provider_message_id = coalesce(a.provider_message_id, s.provider_message_id),
    outcome_unknown = false,
    error = NULL,
    updated_at = $now
FROM (SELECT matched_id,
             arg_max(provider_message_id, seq) FILTER (WHERE provider_message_id IS NOT NULL) AS provider_message_id
      FROM receipt_matches WHERE matched_id IS NOT NULL GROUP BY matched_id) AS s
WHERE a.attempt_id = s.matched_id AND coalesce(a.outcome_unknown, false);
