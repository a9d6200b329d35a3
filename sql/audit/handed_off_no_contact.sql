-- handed_off_no_contact: After a loan was handed to the legal or agency partner, did anything else
-- about that loan go to the borrower before the case was recalled? The partner speaks for the lender
-- about that loan from then on; the borrower's other loans are not concerned.
-- Handed off: from the sent_at of a sent contact of the hand-off step (audit_handoff_steps: the ladder
-- step flagged handoff = true in the config), and from handoffs.handed_off_at (the record of each
-- case handed over, which also holds hand-offs whose notice could never go). Recalled: a
-- handoff_recalled event of the loan; a later hand-off starts it again.
-- Exempt: the thanks for a payment (payment_confirmation), the confirmation of an opt-out
-- (opt_out_confirmation), steps in policy.legally_required_steps, and the hand-off step itself.
-- Checked: every attempted contact about a loan that was ever handed off.
-- Violation: the latest hand-off or recall of the loan before sent_at is a hand-off, and the contact
-- is not exempt.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH handed AS (
    SELECT a.loan_id, a.sent_at AS mark_at
    FROM contact_attempts AS a
    WHERE a.step IN (SELECT step FROM audit_handoff_steps)
      AND a.status IN ('sent', 'delivered') AND a.sent_at IS NOT NULL
    UNION
    SELECT h.loan_id, h.handed_off_at FROM handoffs AS h
),
marks AS (
    SELECT loan_id, mark_at, 'handed_off' AS mark FROM handed
    UNION ALL
    SELECT e.loan_id, e.occurred_at, 'recalled' FROM borrower_events AS e
    WHERE e.kind = 'handoff_recalled' AND e.loan_id IS NOT NULL
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.purpose, c.step, c.sent_at,
       m.mark AS last_mark, m.mark_at AS marked_at,
       CASE WHEN m.mark = 'handed_off'
                 AND c.step NOT IN ('payment_confirmation', 'opt_out_confirmation')
                 AND NOT c.legally_required
                 AND c.step NOT IN (SELECT step FROM audit_handoff_steps)
            THEN c.step || ' by ' || c.channel || ' about a loan handed to the partner at '
                 || strftime(m.mark_at, '%Y-%m-%d %H:%M') || ' UTC'
       END AS violation
FROM audit_contacts AS c
ASOF LEFT JOIN marks AS m ON m.loan_id = c.loan_id AND c.sent_at > m.mark_at
WHERE c.loan_id IN (SELECT loan_id FROM handed);
