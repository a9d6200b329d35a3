-- Returns (attempt_id, caught_up) for the unresolved sends among $ids (sent, outcome_unknown) of
-- provider $provider on channel $channel: caught_up is true when the provider's event webhook has
-- since reported on something that was requested strictly AFTER this send's request ended (its
-- send_requested_at: for a send left unknown, the end of its batch):
--   another contact of the same provider and channel requested later, with a receipt of its own
--   (provider_seen_at), or a delivery check (provider_canaries) requested later, seen.
-- Not events of older messages (opens, clicks, deferrals go on for days) nor of batch-mates.
-- SendGrid has no API to ask whether a message exists; its `processed` event, carrying our
-- attempt_id in custom_args, is the proof. No event for this send, while events of later requests
-- have arrived and the configured wait has passed, is read as SendGrid never having taken it. It is
-- a heuristic, not a proof: SendGrid does not promise event order (a batch it failed to post is
-- retried later), which the wait (default 900 s) covers; docs/delivery.md says so.
SELECT a.attempt_id,
       EXISTS (SELECT 1 FROM contact_attempts AS b
               WHERE b.provider = a.provider AND b.channel = a.channel AND b.attempt_id <> a.attempt_id
                 AND b.provider_seen_at IS NOT NULL
                 AND b.send_requested_at > coalesce(a.send_requested_at, a.sent_at))
       OR EXISTS (SELECT 1 FROM provider_canaries AS k
                  WHERE k.provider = a.provider AND k.channel = a.channel AND k.seen_at IS NOT NULL
                    AND k.requested_at > coalesce(a.send_requested_at, a.sent_at)) AS caught_up
FROM contact_attempts AS a
WHERE list_contains($ids::VARCHAR[], a.attempt_id) AND a.provider = $provider AND a.channel = $channel;
