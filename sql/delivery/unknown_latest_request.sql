-- Returns the latest wall-clock request time (send_requested_at) of the contacts of day $as_of
-- still sent with an unknown outcome through provider $provider on channel $channel, or NULL:
-- a simulated day waits until reconciliation can conclude about them before its next pass.
SELECT max(send_requested_at) FROM contact_attempts
WHERE planned_for_date = $as_of::DATE AND status = 'sent' AND outcome_unknown
  AND provider = $provider AND channel = $channel;
