-- provider_canaries: delivery-check messages sent to the lender's own address (never a borrower)
-- through a provider whose only proof of a send is its event webhook (SendGrid). When an unknown
-- send has no event and no event for anything after it has arrived either, a canary is sent; its
-- events arriving (seen_at) prove the webhook has caught up past that send, so the send's own
-- missing `processed` event means SendGrid never took it. Idempotent.
CREATE TABLE IF NOT EXISTS provider_canaries (
    canary_id     VARCHAR PRIMARY KEY,      -- the attempt_id it carries in custom_args: 'canary-<hex>'
    provider      VARCHAR NOT NULL,
    channel       VARCHAR NOT NULL,
    requested_at  TIMESTAMPTZ NOT NULL,     -- wall clock
    outcome       VARCHAR,                  -- the send's outcome (sent, unknown, failed, retry)
    seen_at       TIMESTAMPTZ               -- its first event ingested
);
