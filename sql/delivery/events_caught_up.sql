-- Returns (attempt_id, caught_up) for the unresolved sends among $ids (sent, outcome_unknown) of
-- provider $provider on channel $channel: caught_up is true when the provider's event webhook has
-- since reported something that happened no earlier than this send's request, for another contact
-- of the same provider and channel: a receipt whose event time (the provider's own timestamp, to
-- the second) is at or after the request, or any receipt for a send requested at or after it, or
-- the events of a canary (provider_canaries) requested at or after it.
-- SendGrid has no API to ask whether a message exists; its `processed` event, carrying our
-- attempt_id in custom_args, is the proof, posted with the events around it. No event for this
-- send while events from after it have arrived (and the configured wait has passed) means SendGrid
-- never took it; no such events (the webhook late, down or not set up) and nothing can be concluded.
SELECT a.attempt_id,
       EXISTS (SELECT 1 FROM provider_receipts AS r JOIN contact_attempts AS b ON b.attempt_id = r.attempt_id
               WHERE b.provider = a.provider AND b.channel = a.channel AND b.attempt_id <> a.attempt_id
                 AND (r.event_at >= date_trunc('second', coalesce(a.send_requested_at, a.sent_at))
                      OR b.send_requested_at >= coalesce(a.send_requested_at, a.sent_at)))
       OR EXISTS (SELECT 1 FROM provider_canaries AS k
                  WHERE k.provider = a.provider AND k.channel = a.channel AND k.seen_at IS NOT NULL
                    AND k.requested_at >= coalesce(a.send_requested_at, a.sent_at)) AS caught_up
FROM contact_attempts AS a
WHERE list_contains($ids::VARCHAR[], a.attempt_id) AND a.provider = $provider AND a.channel = $channel;
