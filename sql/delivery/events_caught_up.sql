-- Returns (attempt_id, caught_up) for the unresolved sends among $ids (sent, outcome_unknown) of
-- provider $provider on channel $channel: caught_up is true when the provider's event webhook has
-- since reported on a send of ours requested no earlier than this one (another contact of the same
-- provider and channel with provider_seen_at set and send_requested_at at or after this one's).
-- SendGrid has no API to ask whether a message exists; its `processed` event, carrying our
-- attempt_id in custom_args, is the proof. No event for this send while events for later sends
-- arrived (and the configured wait has passed) means SendGrid never took it; no events at all
-- means the webhook is late or not set up, and nothing can be concluded.
SELECT a.attempt_id,
       EXISTS (SELECT 1 FROM contact_attempts AS b
               WHERE b.provider = a.provider AND b.channel = a.channel AND b.attempt_id <> a.attempt_id
                 AND b.provider_seen_at IS NOT NULL
                 AND b.send_requested_at >= coalesce(a.send_requested_at, a.sent_at)) AS caught_up
FROM contact_attempts AS a
WHERE list_contains($ids::VARCHAR[], a.attempt_id) AND a.provider = $provider AND a.channel = $channel;
