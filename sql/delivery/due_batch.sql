-- Returns the pass's next batch (dispatch_pass, made by pass_due.sql at the pass's start): contacts
-- whose window is still open at $until ($until < send_before, where $until is the pass instant plus
-- the time the pass has already run, so a long pass never sends a contact after its window closed),
-- highest priority first, after the keyset position ($after_priority, $after_id), at most $limit
-- rows: attempt_id, idempotency_key, channel, priority, recipient, subject, body_text, body_html.
-- Channels in $halted (stopped for the rest of this pass: credentials refused, outage) are left out.
-- Every row is still planned: between the pass's selection and its batch nothing but the pass itself
-- writes these contacts (one writer per database), and it moves each one once, in its own batch.
SELECT attempt_id, idempotency_key, channel, priority, recipient, subject, body_text, body_html
FROM dispatch_pass
WHERE $until < send_before
  AND NOT list_contains($halted::VARCHAR[], channel)
  AND (priority < $after_priority OR (priority = $after_priority AND attempt_id > $after_id))
ORDER BY priority DESC, attempt_id
LIMIT $limit;
