-- Records a canary sent by reconciliation (see 073_provider_canaries.sql). Returns nothing.
INSERT INTO provider_canaries (canary_id, provider, channel, requested_at, outcome)
VALUES ($canary_id, $provider, $channel, $requested_at, $outcome);
