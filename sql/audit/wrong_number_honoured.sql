-- wrong_number_honoured: After a phone number or e-mail was known not to reach the borrower (the
-- dialer's call_outcome 'wrong_number', an operator 'wrong_number' event, or 'number_reassigned'
-- from the reassigned-numbers file, dated when the number changed hands), did any SMS, call or
-- e-mail still go to it, for any borrower, before that borrower verified it again
-- ('point_verified' with the point, later than the mark)?
-- A reassigned number counts from when we knew it (the later of the day it changed hands and when
-- the answer was recorded): an answer dated in the past does not make earlier contacts violations.
-- A verification clears the mark when it is later than the day the number changed hands (the FCC
-- safe-harbour reading, and the gate's: sql/lifecycle/state/point_routes.sql), even if it was
-- recorded before the answer arrived.
-- A wrong-number call outcome is about the point of the call it reports on: the event's
-- contact_point, else the contact's contact_point, else the borrower's own phone. Point ids are
-- written out here (kind || ':' || first 16 hex of sha256(kind || ':' || address)).
-- Checked: every attempted SMS, call and e-mail.
-- Violation: the latest mark on the contact's point (audit_contacts.point) before sent_at is later
-- than this borrower's latest verification of it before sent_at (or there is none). Legally
-- required steps are no exception: the message would go to someone else.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH marks AS (
    SELECT coalesce(e.contact_point, a.contact_point, 'phone:' || substr(sha256('phone:' || b.phone_e164), 1, 16))
               AS point, e.kind, e.occurred_at AS marked_at, e.occurred_at AS known_at
    FROM borrower_events AS e
    LEFT JOIN contact_attempts AS a ON a.attempt_id = CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.attempt_id') END
    LEFT JOIN borrowers AS b ON b.borrower_id = e.borrower_id
    WHERE e.kind = 'call_outcome' AND CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.outcome') END = 'wrong_number'
    UNION ALL
    SELECT contact_point, kind, occurred_at,
           CASE WHEN kind = 'number_reassigned' THEN greatest(occurred_at, recorded_at) ELSE occurred_at END
    FROM borrower_events
    WHERE kind IN ('wrong_number', 'number_reassigned') AND contact_point IS NOT NULL
),
verified AS (
    SELECT borrower_id, contact_point AS point, occurred_at FROM borrower_events
    WHERE kind = 'point_verified' AND contact_point IS NOT NULL
),
marked AS (
    SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at, c.point,
           m.kind AS marked_by, m.marked_at
    FROM audit_contacts AS c
    ASOF LEFT JOIN marks AS m ON m.point = c.point AND c.sent_at > m.known_at
    WHERE c.channel IN ('sms', 'call', 'email')
)
SELECT k.*, v.occurred_at AS verified_at,
       CASE WHEN k.marked_at IS NOT NULL AND (v.occurred_at IS NULL OR v.occurred_at < k.marked_at)
            THEN k.channel || ' to a point marked ' || k.marked_by || ' at '
                 || strftime(k.marked_at, '%Y-%m-%d %H:%M') || ' UTC and not verified again'
       END AS violation
FROM marked AS k
ASOF LEFT JOIN verified AS v ON v.borrower_id = k.borrower_id AND v.point = k.point AND k.sent_at > v.occurred_at;
