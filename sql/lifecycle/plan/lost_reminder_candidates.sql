-- Reminders lost to a delivery failure, planned again: a reminder of yesterday that was tried and
-- never got through (its window closed after a provider failure: window_missed with a send try
-- or error on record) is proposed again on $as_of, same step and channel, when it can still help:
-- the installment is unpaid and due after $as_of (a reminder the day it is due would say the
-- wrong thing; from then on the ladder speaks), and no other reminder of that installment is
-- proposed on that channel today. Adds rows to candidates; the policy then decides as usual.
-- The step and channel must still be the borrower's arm's (cfg_arm_steps by day_arms.arm_key, issue 19):
-- a reminder an arm sends by e-mail is tried again by e-mail, one its borrower has left is not.
INSERT INTO candidates
SELECT contact_key(s.borrower_id, s.loan_id, a.step, a.channel, $as_of::DATE),
       s.borrower_id, s.loan_id, s.installment_no, a.channel, 'reminder', a.step, NULL,
       c.severity, s.outstanding, s.due_date, 0, NULL
FROM contact_attempts AS a
JOIN installment_state AS s ON s.loan_id = a.loan_id AND s.installment_no = a.installment_no
LEFT JOIN day_arms AS x ON x.borrower_id = a.borrower_id
JOIN cfg_arm_steps AS c ON c.arm_key = coalesce(x.arm_key, 'champion')
 AND c.purpose = 'reminder' AND c.step = a.step AND c.channel = a.channel
WHERE a.purpose = 'reminder' AND a.planned_for_date = $as_of::DATE - 1
  AND a.status = 'suppressed' AND a.suppressed_reason = 'window_missed'
  AND (a.send_tries > 0 OR a.error IS NOT NULL)
  AND s.outstanding > 0 AND s.due_date > $as_of::DATE
  AND NOT EXISTS (SELECT 1 FROM candidates AS o
                  WHERE o.loan_id = s.loan_id AND o.installment_no = s.installment_no
                    AND o.channel = a.channel AND o.purpose = 'reminder');
