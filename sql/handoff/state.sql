-- handoff_state: the loans handed to the partner as of $now, one row each: loan_id, borrower_id,
-- step, attempt_id (the hand-off step's contact), handed_off_at. Read by the gate rule
-- sql/policy/rules/handed_off.sql (at plan time and again before every send) and by
-- sql/handoff/record.sql (the handoffs table). Returns nothing.
-- A loan is handed off when a contact of the hand-off step (cfg_handoff.step: the ladder step
-- flagged handoff = true) about it
--   * was sent (status sent or delivered: a letter counts when released), at its sent_at; or
--   * counts as its step taken although it could never go (step_taken: no address, opted out,
--     cease-contact, attorney, ...), at the opening of the window it would have gone in, EXCEPT when
--     it was suppressed for a reason that bars collection itself (cfg_handoff.barred: deceased,
--     bankruptcy, breathing space): such a loan is not handed off, its own gate rules keep it silent.
-- Why the "could never go" case hands off: the ladder never tries a taken step again, so without it a
-- borrower who opted out of letters would be neither contacted nor handed off for ever; the partner
-- receives the restriction with the case (the contact history) and must honour it too.
-- A failed contact (status failed: the provider refused it for good) does not hand off.
-- Until recalled: a handoff_recalled event of the loan at or before $now ends every hand-off before
-- it; a hand-off step that goes again later (a new episode) hands the loan off again.
-- Everything is read as of $now (contacts sent, windows opened and recalls at or before it), so a
-- pass replayed at an earlier instant sees what it saw then.
CREATE OR REPLACE TEMP TABLE handoff_state AS
WITH recalls AS (
    SELECT e.loan_id, max(e.occurred_at) AS recalled_at
    FROM borrower_events AS e
    WHERE e.kind = 'handoff_recalled' AND e.loan_id IS NOT NULL AND e.occurred_at <= $now
    GROUP BY e.loan_id
),
went AS (
    SELECT a.loan_id, a.borrower_id, a.step, a.attempt_id,
           CASE WHEN a.status = 'suppressed' THEN coalesce(a.send_after, a.created_at) ELSE a.sent_at END
               AS handed_off_at
    FROM contact_attempts AS a
    JOIN cfg_handoff AS h ON h.step = a.step
    WHERE a.purpose = 'escalation'
      AND ((a.status IN ('sent', 'delivered') AND a.sent_at IS NOT NULL)
           OR (a.status = 'suppressed' AND step_taken(a.status, a.suppressed_reason)
               AND NOT list_contains(h.barred, a.suppressed_reason)))
)
SELECT w.loan_id, w.borrower_id, w.step, w.attempt_id, w.handed_off_at
FROM went AS w
LEFT JOIN recalls AS r USING (loan_id)
WHERE w.handed_off_at <= $now AND (r.recalled_at IS NULL OR w.handed_off_at > r.recalled_at)
QUALIFY row_number() OVER (PARTITION BY w.loan_id ORDER BY w.handed_off_at, w.attempt_id) = 1;
