-- Records a batch of events (temp table events_batch) once each: rows the book refused
-- (events_refused, from check_book.sql), rows whose external_id is already known, and repeats
-- inside the batch are skipped. Each row carries its scope ('borrower' or 'loan', set from the
-- kinds catalog loan_comms/policy/kinds.py; 'point' for an opt-out of one number only), the contact
-- point it is about, if any, and recorded_at (the ingest's reference instant: the wall clock, or the
-- simulator's, so "recorded within N days" is judged on the clock of the contacts).
-- Returns how many rows it added.
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, channel, amount, source, external_id,
                             scope, contact_point, recorded_at)
SELECT b.borrower_id, b.loan_id, b.kind, b.occurred_at, b.detail, b.channel, b.amount, b.source, b.external_id,
       b.scope, b.contact_point, b.recorded_at
FROM (SELECT *, row_number() OVER (PARTITION BY external_id ORDER BY occurred_at) AS n
      FROM events_batch AS e
      WHERE NOT EXISTS (SELECT 1 FROM events_refused AS r WHERE r.seq = e.seq)) AS b
WHERE b.n = 1
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = b.external_id);
