-- Claim before send (issue 13). Real providers (Twilio Messages, SendGrid mail/send) do not
-- deduplicate, so a contact is marked in flight and committed BEFORE its request leaves:
--   send_claim         the dispatch pass that holds it (NULL once that pass wrote its result back);
--                      a crash leaves it set, the contact stays sent + outcome_unknown, and
--                      reconciliation with the provider decides before anything is sent again;
--   send_requested_at  the wall-clock instant of the last request (providers keep wall-clock time,
--                      also when dispatch runs on a simulated clock): reconciliation looks for the
--                      message from there and waits `reconcile_after_seconds` after it;
--   resends            how many times reconciliation found no such message and put the contact back
--                      to planned, to be sent again inside its window;
--   send_account       the provider account the request went to (a fingerprint of Twilio's account SID): reconciliation
--                      asks that account, and concludes nothing when the configured one differs;
--   claimed_at         the pass instant (the log's clock) of the contact's first claim, kept when
--                      reconciliation puts it back to planned: a late receipt proving that first request
--                      arrived after all makes it sent again at that instant (receipts_resolve.sql).
-- Idempotent.
ALTER TABLE contact_attempts ADD COLUMN IF NOT EXISTS send_claim VARCHAR;
ALTER TABLE contact_attempts ADD COLUMN IF NOT EXISTS send_requested_at TIMESTAMPTZ;
ALTER TABLE contact_attempts ADD COLUMN IF NOT EXISTS resends INTEGER DEFAULT 0;
ALTER TABLE contact_attempts ADD COLUMN IF NOT EXISTS send_account VARCHAR;
ALTER TABLE contact_attempts ADD COLUMN IF NOT EXISTS claimed_at TIMESTAMPTZ;
