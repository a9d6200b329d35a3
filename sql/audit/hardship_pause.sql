-- hardship_pause: After a hardship request, did an escalation (ladder) contact go out within the
-- pause on any loan the request reaches (every loan of the borrower unless recorded loan-scoped)?
-- The pause covers the rest of the request's local day and the next $hardship_pause_days local days (follow_ups.hardship_pause_days). The repayment-plan offer
-- itself (follow-up hardship_offer) is allowed: it is what the borrower asked for.
-- Checked: every attempted escalation contact, and every notice announcing a visit (visit_notice).
-- Violation: the loan's latest hardship_request before sent_at was on local day D, and the contact
-- went out on or before local day D + hardship_pause_days.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH requests AS (   -- each request on every loan it reaches: its own loan when recorded with scope
                     -- 'loan', else every loan of the borrower (hardship is the person's situation)
    SELECT e.loan_id, e.occurred_at
    FROM borrower_events AS e
    WHERE e.kind = 'hardship_request' AND e.loan_id IS NOT NULL AND e.scope = 'loan'
    UNION ALL
    SELECT l.loan_id, e.occurred_at
    FROM borrower_events AS e JOIN loans AS l ON l.borrower_id = e.borrower_id
    WHERE (e.kind = 'hardship_request' AND coalesce(e.scope, 'borrower') <> 'loan')
       OR (e.kind = 'visit_outcome'   -- hardship told to the collectors at the door: every loan
           AND CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.outcome') = 'hardship' END)
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.step, c.sent_at, c.sent_day,
       r.occurred_at AS requested_at, timezone(c.timezone, r.occurred_at)::DATE AS request_day,
       $hardship_pause_days::INTEGER AS pause_days,
       CASE WHEN c.sent_day <= timezone(c.timezone, r.occurred_at)::DATE + $hardship_pause_days::INTEGER
            THEN 'escalation ' || (c.sent_day - timezone(c.timezone, r.occurred_at)::DATE)
                 || ' day(s) after a hardship request (pause ' || $hardship_pause_days::INTEGER || ' days)'
       END AS violation
FROM audit_contacts AS c
ASOF LEFT JOIN requests AS r ON r.loan_id = c.loan_id AND c.sent_at > r.occurred_at
WHERE c.purpose = 'escalation' OR c.step = 'visit_notice';   -- a visit is not announced in a pause
