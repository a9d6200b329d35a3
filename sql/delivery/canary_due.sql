-- Returns whether provider $provider on channel $channel needs a new canary for sends requested up
-- to $requested_up_to (wall clock): true when no canary was requested at or after that instant
-- (seen or not: one in flight is waited for, not doubled) within the last $resend_seconds.
SELECT NOT EXISTS (
    SELECT 1 FROM provider_canaries
    WHERE provider = $provider AND channel = $channel AND requested_at >= $requested_up_to::TIMESTAMPTZ
      AND outcome IN ('sent', 'unknown')
      AND (seen_at IS NOT NULL OR requested_at > $wall_now::TIMESTAMPTZ - to_seconds($resend_seconds::DOUBLE))
);
