-- Contact points (issue 11, part A): phones and emails as rows of their own.
--   borrower_contact_points  the points a borrower has BEYOND the borrower row (a second mobile, a
--                            home or work phone, another email), loaded by `loan-comms
--                            import-contact-points`. kind 'phone' (address in E.164) or 'email'
--                            (trimmed, lower-cased); place 'mobile' | 'home' | 'work' | NULL.
--                            One point may belong to several borrowers (a family phone).
--   borrower_points          every point of every borrower: the borrower row's phone_e164 / email
--                            (is_primary) and the extra ones, each with its point_id (the macro
--                            point_id(); the same address is the same point whoever holds it).
--   recipients               (borrower_id, channel, address, point_id, place, is_primary, added_at):
--                            where each borrower can be reached on each addressed channel, sms and
--                            call on phones, email on emails. THE one place that says which address
--                            a channel sends to: the gate (no_recipient, point_routes) and dispatch
--                            (sql/delivery/due_batch.sql) read it. Whether a point is usable as of an
--                            instant (wrong number, reassigned, opted out, a place to avoid) is
--                            derived by sql/lifecycle/state/point_routes.sql on top of it.
-- The views are TEMP, created on every writing connection (ensure_schema): always this definition,
-- and opening a database never rewrites its file (a refused run must leave it byte for byte).
-- Why: Reg F 1006.6(d)/TCPA: a number that is not the borrower's (wrong, reassigned) is a third
-- party; caps and opt-outs belong to the phone as well as to the person (issue 11 cases 3 and 4).
CREATE TABLE IF NOT EXISTS borrower_contact_points (
    borrower_id  VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL CHECK (kind IN ('phone', 'email')),
    address      VARCHAR NOT NULL,
    place        VARCHAR CHECK (place IN ('mobile', 'home', 'work')),
    source       VARCHAR,
    added_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (borrower_id, kind, address)
);

CREATE OR REPLACE TEMP VIEW borrower_points AS
WITH primaries AS (
    SELECT borrower_id, 'phone' AS kind, phone_e164 AS address, NULL::VARCHAR AS place, true AS is_primary,
           created_at AS added_at
    FROM borrowers WHERE phone_e164 IS NOT NULL
    UNION ALL
    SELECT borrower_id, 'email', lower(trim(email)), NULL::VARCHAR, true, created_at
    FROM borrowers WHERE email IS NOT NULL
)
SELECT borrower_id, kind, address, point_id(kind, address) AS point_id, place, is_primary, added_at FROM primaries
UNION ALL
SELECT p.borrower_id, p.kind, p.address, point_id(p.kind, p.address), p.place, false, p.added_at
FROM borrower_contact_points AS p
WHERE NOT EXISTS (SELECT 1 FROM primaries AS q
                  WHERE q.borrower_id = p.borrower_id AND q.kind = p.kind AND q.address = p.address);

CREATE OR REPLACE TEMP VIEW recipients AS
SELECT p.borrower_id, c.channel, p.address, p.point_id, p.place, p.is_primary, p.added_at
FROM borrower_points AS p
JOIN (VALUES ('phone', 'sms'), ('phone', 'call'), ('email', 'email')) AS c(kind, channel) USING (kind);
