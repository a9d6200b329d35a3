-- opt_out_honoured: After a borrower opted out of a channel (opt_out event for sms, email or call:
-- a STOP reply, an unsubscribe link...), did anything still reach them on that channel before they
-- opted back in (opt_in event for the same channel)? The opt-out counts from the next contact on:
-- anything attempted after the moment it was recorded (occurred_at).
-- Exception: steps listed in policy.legally_required_steps may still go.
-- Checked: every attempted contact (any channel).
-- Violation: the borrower's latest opt_out/opt_in for this channel before sent_at is an opt_out,
-- and the step is not legally required.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH choices AS (
    SELECT e.borrower_id, e.channel, e.kind, e.occurred_at
    FROM borrower_events AS e
    WHERE e.kind IN ('opt_out', 'opt_in') AND e.channel IS NOT NULL
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at,
       o.kind AS last_choice, o.occurred_at AS chosen_at, c.legally_required,
       CASE WHEN o.kind = 'opt_out' AND NOT c.legally_required
            THEN 'sent by ' || c.channel || ' after the borrower opted out of ' || c.channel
                 || ' at ' || strftime(o.occurred_at, '%Y-%m-%d %H:%M') || ' UTC'
       END AS violation
FROM audit_contacts AS c
ASOF LEFT JOIN choices AS o
  ON o.borrower_id = c.borrower_id AND o.channel = c.channel AND c.sent_at > o.occurred_at;
