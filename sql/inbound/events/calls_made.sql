-- The calls we actually made, which a dialer outcome may refer to. Returns (attempt_id,
-- borrower_id, loan_id, contact_point, timezone, assigned, rostered) of every call contact with a
-- sent_at, and of every call pushed to a dialer (a dialer_pushes row) whatever became of it: a dial
-- on a call withdrawn, carried or cancelled at the dialer (placed in the gap before its DELETE, or
-- despite it) was still made: it is recorded like any dial (what counts dials sees it, a wrong
-- number or dispute it brought acts) and the audit dial_after_withdrawal flags it, rather than
-- being quarantined as "not a call we made" (review 16 item 3). The outcome event records the
-- point the call went to (contact_attempts.contact_point), so a wrong number is pinned on that number, not on whatever number the borrower has today;
-- timezone (the borrower's, on file) reads a callback asked for as a local date and hours.
-- assigned: the plan gave the call to an agent (call_assignments outcome 'assigned'); rostered:
-- then the agents of that day's roster who could have dialled it, those of the assigned agent's
-- team (the team of the assigned shift in agent_days) whose recorded shift overlaps the call's
-- dialling window (its send_after .. its dial_until, else its send_before). A row naming an agent
-- outside that list is refused (events.py): an id the roster never had, or one of another team, is
-- a typo or someone who should not be calling. A teammate on shift is KEPT (the dial happened: the
-- caps must count it, and refusing would hide it), and the audit dial_attempts flags every dial by
-- anyone but the assigned agent (review 16, item b). Calls without an assignment (no roster,
-- or made before issue 16): assigned false, rostered NULL, and any well-formed agent id is kept.
SELECT a.attempt_id, a.borrower_id, a.loan_id, a.contact_point, b.timezone,
       ca.attempt_id IS NOT NULL AS assigned,
       CASE WHEN ca.attempt_id IS NOT NULL THEN
           coalesce((SELECT list(DISTINCT s.agent_id ORDER BY s.agent_id) FROM agent_days AS s
                     WHERE s.team IN (SELECT t.team FROM agent_days AS t
                                      WHERE t.agent_id = ca.agent_id AND t.work_date = ca.work_date)
                       AND s.shift_start < coalesce(ca.dial_until, a.send_before, ca.slot_end)
                       AND s.shift_end > coalesce(a.send_after, ca.slot_start)), [])
       END AS rostered
FROM contact_attempts AS a
LEFT JOIN borrowers AS b USING (borrower_id)
LEFT JOIN call_assignments AS ca ON ca.attempt_id = a.attempt_id AND ca.outcome = 'assigned'
WHERE a.channel = 'call'
  AND (a.sent_at IS NOT NULL OR EXISTS (SELECT 1 FROM dialer_pushes AS p WHERE p.attempt_id = a.attempt_id));
