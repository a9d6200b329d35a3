-- Removes the 'payment' events the plans of $start and later recorded from the feed (their feed rows
-- were stamped ingested_at = that plan's $now, which is $from_now or later): the replay records them
-- again when their day comes. Before unmark_payments.sql, which clears the stamps. Returns nothing.
DELETE FROM borrower_events
WHERE kind = 'payment'
  AND external_id IN (SELECT 'payment:' || payment_id FROM payment_feed WHERE ingested_at >= $from_now);
