-- preferences_honoured: Was each contact made the way the borrower's latest contact_preference
-- (at or before the contact) allows: not on a channel it lists in avoid_channels (unless the step
-- is legally required), and, for sms, email, call and visit, inside its window ["HH:MM","HH:MM"]
-- in every zone the borrower may be in (the timezone on file, the address's zone, the phone's zones)?
-- Reg F 1006.6(b)(1) (times the consumer names), FCA CONC 7.9 (how and when to communicate).
-- Checked: every attempted contact of a borrower with a contact_preference before it.
-- Violation: an avoided channel, or a local time outside the preferred window in some zone.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH zones AS (   -- the zones on file, of the address and of the phones (sql/audit/_person.sql)
    SELECT DISTINCT borrower_id, zone, since FROM audit_zones WHERE source <> 'jurisdiction'
),
preferred AS (
    SELECT c.*,
           (SELECT arg_max(e.detail, (e.occurred_at, e.event_id)) FROM borrower_events AS e
            WHERE e.borrower_id = c.borrower_id AND e.kind = 'contact_preference'
              AND e.occurred_at <= c.sent_at) AS preference
    FROM audit_contacts AS c
),
judged AS (
    SELECT p.attempt_id, p.borrower_id, p.loan_id, p.channel, p.step, p.sent_at, p.legally_required,
           coalesce(try_cast(json_extract(p.preference, '$.avoid_channels') AS VARCHAR[]), []) AS avoid_channels,
           try_cast(json_extract_string(p.preference, '$.window[0]') AS TIME) AS pref_start,
           try_cast(json_extract_string(p.preference, '$.window[1]') AS TIME) AS pref_end,
           z.zone, timezone(z.zone, p.sent_at) AS local_at
    FROM preferred AS p
    JOIN zones AS z ON z.borrower_id = p.borrower_id AND (z.since IS NULL OR z.since <= p.sent_at)
    WHERE p.preference IS NOT NULL
)
SELECT attempt_id, borrower_id, loan_id, channel, step, sent_at, pref_start, pref_end,
       coalesce(
           CASE WHEN list_contains(any_value(avoid_channels), channel) AND NOT legally_required
                THEN channel || ' is a channel the borrower asked us not to use' END,
           string_agg(CASE WHEN channel IN ('sms', 'email', 'call', 'visit') AND pref_start IS NOT NULL
                            AND (local_at::TIME < pref_start OR local_at::TIME >= pref_end)
                           THEN 'sent at ' || strftime(local_at, '%H:%M') || ' in ' || zone END, '; ' ORDER BY zone)
               || ', outside the preferred ' || left(pref_start::VARCHAR, 5) || '-' || left(pref_end::VARCHAR, 5)
       ) AS violation
FROM judged
GROUP BY attempt_id, borrower_id, loan_id, channel, step, sent_at, pref_start, pref_end, legally_required;
