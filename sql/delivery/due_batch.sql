-- Returns the next batch of planned contacts whose window is open (send_after <= $now and
-- $until < send_before, where $until is $now plus the time this pass has already run, so a long
-- pass never sends a contact after its window closed), highest priority first, after the keyset position ($after_priority, $after_id),
-- at most $limit rows: attempt_id, idempotency_key, channel, priority, the recipient (sms: phone,
-- email: email; work items: borrower_id) and the wording. The address is that of the contact point
-- recorded on the contact when it was planned (contact_attempts.contact_point), read through the
-- recipients view, never re-resolved: the re-check before send (gate: point_unusable, opted_out)
-- has just judged that very point. Contacts planned before points were recorded go to the primary.
-- Text channels (sms, email, letter) need their contact_messages row: without it the wording is
-- not rendered yet and the contact waits for a later pass. Channels in $halted (stopped for the
-- rest of this pass: credentials refused, outage) are left out.
-- With $day (a local day; NULL for all), only the contacts planned for that day: a day's dispatch
-- on a simulated clock, so a replayed pass of an earlier day never sends a later day's contacts.
SELECT a.attempt_id, a.idempotency_key, a.channel, a.priority,
       CASE WHEN a.channel IN ('sms', 'email') THEN r.address ELSE a.borrower_id END AS recipient,
       m.subject, m.body_text, m.body_html
FROM contact_attempts AS a
LEFT JOIN recipients AS r
       ON r.borrower_id = a.borrower_id AND r.channel = a.channel
      AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
LEFT JOIN contact_messages AS m ON m.attempt_id = a.attempt_id
WHERE a.status = 'planned' AND ($day::DATE IS NULL OR a.planned_for_date = $day::DATE)
  AND a.send_after <= $now AND $until < a.send_before
  AND (a.channel NOT IN ('sms', 'email', 'letter') OR m.attempt_id IS NOT NULL)
  AND NOT list_contains($halted::VARCHAR[], a.channel)
  AND (a.priority < $after_priority OR (a.priority = $after_priority AND a.attempt_id > $after_id))
ORDER BY a.priority DESC, a.attempt_id
LIMIT $limit;
