-- The replay's assumption for a contact of $day the recorded log never made (a new key, or one the
-- recorded plan suppressed): it went as planned, sent when its window opened (provider 'replay', no
-- provider id, so nothing claims a receipt). A key the recorded log also left planned stays planned.
-- Returns the number of contacts assumed sent.
UPDATE contact_attempts AS a
SET status = 'sent', sent_at = a.send_after, provider = 'replay', updated_at = a.send_after
WHERE a.planned_for_date = $day AND a.status = 'planned'
  AND NOT EXISTS (SELECT 1 FROM replay_recorded_attempts AS r
                  WHERE r.idempotency_key = a.idempotency_key AND r.status = 'planned');
