-- Returns one row: the gateway's count (registered table _gateway_messages: attempt_id, messages)
-- held against the log, for contacts that went through an HTTP provider (Twilio, SendGrid).
--   recorded_not_received  the log records the contact as sent with a known outcome (sent, delivered,
--                          or failed after the provider took it), the gateway never got it: lost;
--   received_not_recorded  the gateway holds a message for a contact the log does not record as sent
--                          (planned, suppressed, failed before the provider): sent behind the log's back;
--   still_unknown          sent with an unknown outcome at the end (counted as sent; reconciliation
--                          did not conclude);
--   lost_unsent            tried (send_tries, or concluded absent: resends) but never reached the
--                          gateway, and its window closed: window_missed after a delivery failure (not
--                          one the re-check then held back for the policy: paid, opted out...).
WITH recorded AS (
    SELECT attempt_id, outcome_unknown FROM contact_attempts
    WHERE provider IN ('twilio', 'sendgrid')
      AND (status IN ('sent', 'delivered') OR (status = 'failed' AND provider_message_id IS NOT NULL))
)
SELECT
    (SELECT count(*) FROM recorded AS r
     WHERE NOT r.outcome_unknown
       AND NOT EXISTS (SELECT 1 FROM _gateway_messages AS g WHERE g.attempt_id = r.attempt_id)) AS recorded_not_received,
    (SELECT count(*) FROM _gateway_messages AS g
     WHERE NOT EXISTS (SELECT 1 FROM recorded AS r WHERE r.attempt_id = g.attempt_id)) AS received_not_recorded,
    (SELECT count(*) FROM recorded WHERE outcome_unknown) AS still_unknown,
    (SELECT count(*) FROM contact_attempts AS a
     WHERE a.channel IN ('sms', 'email') AND a.status = 'suppressed' AND a.suppressed_reason = 'window_missed'
       AND (a.resends > 0 OR a.send_tries > 0)
       AND NOT EXISTS (SELECT 1 FROM _gateway_messages AS g WHERE g.attempt_id = a.attempt_id)) AS lost_unsent;
