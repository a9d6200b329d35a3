-- dispatch_pass: every planned contact whose window is open at $now (send_after <= $now < send_before),
-- ready to go, with what its batch needs: attempt_id, idempotency_key, channel, priority, send_before,
-- the recipient (sms: phone, email: email; work items: borrower_id) and the wording. Made once per
-- dispatch pass, after the re-check; sql/delivery/due_batch.sql reads the pass's batches from it.
-- Why once per pass: the recipients view is built over every contact point of the book (a materialized
-- CTE, so no filter reaches it); read once per batch it cost more than the rest of the send path.
-- The address is that of the contact point recorded on the contact when it was planned (contact_attempts.
-- contact_point), read through the recipients view, never re-resolved: the re-check before send (gate:
-- point_unusable, opted_out) has just judged that very point. Contacts planned before points were
-- recorded go to the primary. The point id is compared after joining on (borrower, channel), with the
-- same point_id() macro the view uses: hashing only this pass's borrowers' addresses, not the book's.
-- Text channels (sms, email, letter) need their contact_messages row: without it the wording is not
-- rendered yet and the contact waits for a later pass (due_counts.sql counts the same selection).
-- With $day (a local day; NULL for all), only the contacts planned for that day: a day's dispatch on a
-- simulated clock, so a replayed pass of an earlier day never sends a later day's contacts.
CREATE OR REPLACE TEMP TABLE dispatch_pass AS
WITH due AS (
    SELECT a.attempt_id, a.idempotency_key, a.channel, a.priority, a.send_before, a.borrower_id, a.contact_point
    FROM contact_attempts AS a
    WHERE a.status = 'planned' AND ($day::DATE IS NULL OR a.planned_for_date = $day::DATE)
      AND a.send_after <= $now AND $now < a.send_before
      AND (a.channel NOT IN ('sms', 'email', 'letter')
           OR a.attempt_id IN (SELECT attempt_id FROM contact_messages))
),
addressed AS (
    SELECT d.attempt_id, any_value(r.address) AS address
    FROM due AS d
    JOIN recipients AS r ON r.borrower_id = d.borrower_id AND r.channel = d.channel
    WHERE d.channel IN ('sms', 'email')
      AND (point_id(CASE d.channel WHEN 'email' THEN 'email' ELSE 'phone' END, r.address) = d.contact_point
           OR (d.contact_point IS NULL AND r.is_primary))
    GROUP BY d.attempt_id
)
SELECT d.attempt_id, d.idempotency_key, d.channel, d.priority, d.send_before,
       CASE WHEN d.channel IN ('sms', 'email') THEN r.address ELSE d.borrower_id END AS recipient,
       m.subject, m.body_text, m.body_html
FROM due AS d
LEFT JOIN addressed AS r USING (attempt_id)
LEFT JOIN contact_messages AS m ON m.attempt_id = d.attempt_id;
