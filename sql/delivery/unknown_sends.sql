-- Returns the contacts whose send is unresolved (sent with outcome_unknown: no answer, a lost
-- answer, a 5xx, or a pass that died in flight) through provider $provider on channel $channel,
-- oldest request first, at most $limit: attempt_id, recipient (the address the request went to:
-- the contact's recorded point, as due_batch.sql reads it), subject, body_text, send_requested_at
-- (wall clock), send_before and send_account (the provider account the request went to). Listed
-- messages some other contact already has are read separately (known_message_ids.sql).
-- Contacts sent before claims existed (no send_requested_at) fall back to sent_at. With $day (a
-- local day; NULL for all), only the contacts planned for that day: a day's dispatch on a simulated
-- clock re-checks and sends only its own day's contacts, so it must not put another day's back to planned.
SELECT a.attempt_id, r.address AS recipient, m.subject, m.body_text,
       coalesce(a.send_requested_at, a.sent_at) AS requested_at, a.send_before, a.send_account
FROM contact_attempts AS a
LEFT JOIN recipients AS r
       ON r.borrower_id = a.borrower_id AND r.channel = a.channel
      AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
LEFT JOIN contact_messages AS m ON m.attempt_id = a.attempt_id
WHERE a.status = 'sent' AND a.outcome_unknown AND a.provider = $provider AND a.channel = $channel
  AND ($day::DATE IS NULL OR a.planned_for_date = $day::DATE)
ORDER BY requested_at, a.attempt_id
LIMIT $limit;
