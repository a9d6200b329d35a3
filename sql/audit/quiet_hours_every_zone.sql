-- quiet_hours_every_zone: Was any borrower contacted at a time outside the window in ANY zone they
-- may be in: the timezone on file, the address's zone, every zone of their phone number (looked up
-- by the audit itself: audit_phone_zones), and every zone of the jurisdiction when the timezone on
-- file was only derived from it; with the strictest window of the profiles that apply (the
-- jurisdiction on file and every profile whose countries hold the phone's region)?
-- Reg F 1006.6(b)(1) comment 2: when the location is unclear, convenient in every plausible zone.
-- Checked: every sms, email, call and visit that was attempted (letters are posted, not "heard").
-- A phone added to the book later (borrower_contact_points.added_at) is evidence only from then on:
-- importing a number today does not turn last month's compliant contacts into violations.
-- Violation: in some plausible zone the local time of sent_at is before the strictest window start
-- or at/after its end; names the zone, the local time and the profiles.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH own_profile AS (
    SELECT b.borrower_id, coalesce(p.profile, 'default') AS profile
    FROM borrowers AS b LEFT JOIN audit_profiles AS p ON p.profile = b.jurisdiction
),
zones AS (   -- every zone the person may be in, from when it is evidence (sql/audit/_person.sql)
    SELECT DISTINCT borrower_id, zone, since FROM audit_zones
),
applying AS (
    SELECT borrower_id, profile, NULL::TIMESTAMPTZ AS since FROM own_profile
    UNION
    SELECT b.borrower_id, pc.profile, b.since
    FROM audit_phones AS b
    JOIN audit_phone_zones AS z ON z.phone = b.phone
    JOIN audit_profile_countries AS pc ON pc.region = z.region
),
heard AS (
    SELECT * FROM audit_contacts WHERE channel IN ('sms', 'email', 'call', 'visit')
),
strictest AS (   -- per contact: the profiles that applied when it was sent
    SELECT c.attempt_id, max(p.window_start) AS window_start, min(p.window_end) AS window_end,
           string_agg(DISTINCT a.profile, ',' ORDER BY a.profile) AS profiles
    FROM heard AS c
    JOIN applying AS a ON a.borrower_id = c.borrower_id AND (a.since IS NULL OR a.since <= c.sent_at)
    JOIN audit_profiles AS p ON p.profile = a.profile
    GROUP BY c.attempt_id
),
judged AS (
    SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at, s.profiles,
           s.window_start, s.window_end, z.zone, timezone(z.zone, c.sent_at) AS local_at
    FROM heard AS c
    JOIN strictest AS s USING (attempt_id)
    JOIN zones AS z ON z.borrower_id = c.borrower_id AND (z.since IS NULL OR z.since <= c.sent_at)
)
SELECT attempt_id, borrower_id, loan_id, channel, step, sent_at, profiles, window_start, window_end,
       count(*) AS zones_judged,
       string_agg(CASE WHEN local_at::TIME < window_start OR local_at::TIME >= window_end
                       THEN 'sent at ' || strftime(local_at, '%H:%M') || ' in ' || zone END, '; ' ORDER BY zone)
           || ', outside ' || left(window_start::VARCHAR, 5) || '-' || left(window_end::VARCHAR, 5)
           || ' (profiles ' || profiles || ')' AS violation
FROM judged
GROUP BY attempt_id, borrower_id, loan_id, channel, step, sent_at, profiles, window_start, window_end;
