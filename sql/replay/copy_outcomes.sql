-- Gives each contact the replay planned for $day the outcome its recorded twin (same idempotency
-- key) had after the plan: sent, delivered or failed with the provider's ids and times, or suppressed
-- by the dispatch's re-check or a closed window, with the window the dispatch narrowed it to. Only
-- recorded rows changed after their plan (updated_at <> created_at, both set by the plan) count: a recorded plan-time
-- suppression is not an outcome. Later days then read the same history. Returns nothing.
UPDATE contact_attempts AS a
SET status = r.status, suppressed_reason = r.suppressed_reason, decided_by_rule = r.decided_by_rule,
    send_after = r.send_after, send_before = r.send_before, sent_at = r.sent_at, delivered_at = r.delivered_at,
    provider = r.provider, provider_message_id = r.provider_message_id, error = r.error,
    send_tries = r.send_tries, updated_at = r.updated_at
FROM replay_recorded_attempts AS r
WHERE r.idempotency_key = a.idempotency_key AND a.planned_for_date = $day AND a.status = 'planned'
  AND r.status <> 'planned' AND r.updated_at <> r.created_at;
