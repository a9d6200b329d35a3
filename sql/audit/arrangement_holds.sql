-- arrangement_holds: Did a contact a repayment plan holds go out on a loan it covers, beyond the
-- escalation and collection contacts of a running plan (arrangement_no_escalation's)? A plan holds,
-- on each loan it covers (arrangement_loans), the ladder, collection follow-ups, the hardship and
-- forbearance offers (hardship_offer, forbearance_offer, broken_promise, visit_notice) and the
-- contractual reminders (purpose 'reminder': the plan's own arrangement_reminder replaces them):
--   while it is ASKED FOR: from its arrangement_requested event until its arrangement_accepted or
--                          arrangement_declined event (waiting for a reviewer when it has neither);
--   while it RUNS:         from its arrangement_accepted event until its arrangement_broken or
--                          arrangement_kept event (still running when it has neither).
-- Events are matched to plans by detail.arrangement_id; spans come from the events alone (not from
-- the arrangements table or the planner's plan state). The plan's own contacts (arrangement_*),
-- payment confirmations, call-backs and surveys are never held.
-- Checked: every attempted held-kind contact on a loan some plan or request covered.
-- Violation: it went out while a covering request waited, or, not being an escalation or collection
-- contact, while a covering plan ran.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH plan_events AS (
    SELECT kind, occurred_at,
           CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.arrangement_id') END AS arrangement_id
    FROM borrower_events
    WHERE kind IN ('arrangement_requested', 'arrangement_accepted', 'arrangement_declined',
                   'arrangement_broken', 'arrangement_kept')
),
marks AS (
    SELECT arrangement_id,
           min(occurred_at) FILTER (WHERE kind = 'arrangement_requested') AS requested_at,
           min(occurred_at) FILTER (WHERE kind IN ('arrangement_accepted', 'arrangement_declined')) AS decided_at,
           min(occurred_at) FILTER (WHERE kind = 'arrangement_accepted') AS accepted_at,
           min(occurred_at) FILTER (WHERE kind IN ('arrangement_broken', 'arrangement_kept')) AS ended_at
    FROM plan_events WHERE arrangement_id IS NOT NULL
    GROUP BY arrangement_id
),
spans AS (   -- (loan, plan, what, from, until): until NULL = still holding
    SELECT l.loan_id, m.arrangement_id, 'asked_for' AS what, m.requested_at AS since, m.decided_at AS until
    FROM marks AS m JOIN arrangement_loans AS l USING (arrangement_id)
    WHERE m.requested_at IS NOT NULL
    UNION ALL
    SELECT l.loan_id, m.arrangement_id, 'running', m.accepted_at, m.ended_at
    FROM marks AS m JOIN arrangement_loans AS l USING (arrangement_id)
    WHERE m.accepted_at IS NOT NULL
),
checked AS (
    SELECT c.* FROM audit_contacts AS c
    WHERE (c.purpose IN ('escalation', 'reminder') OR c.is_collection
           OR c.step IN ('hardship_offer', 'forbearance_offer', 'broken_promise', 'visit_notice'))
      AND c.step NOT LIKE 'arrangement\_%' ESCAPE '\'
      AND c.loan_id IN (SELECT loan_id FROM spans)
)
SELECT c.attempt_id, c.borrower_id, c.loan_id, c.channel, c.purpose, c.step, c.sent_at, c.sent_day,
       s.arrangement_id, s.what, s.since, s.until,
       CASE WHEN s.what = 'asked_for'
            THEN c.purpose || ' ' || c.step || ' sent while plan ' || s.arrangement_id
                 || ' waited for a decision (asked for ' || strftime(s.since, '%Y-%m-%d %H:%M') || ' UTC)'
            WHEN s.what = 'running'
            THEN c.purpose || ' ' || c.step || ' sent while plan ' || s.arrangement_id || ' ran (accepted '
                 || strftime(s.since, '%Y-%m-%d %H:%M') || ' UTC)'
       END AS violation
FROM checked AS c
LEFT JOIN spans AS s
       ON s.loan_id = c.loan_id AND c.sent_at > s.since AND (s.until IS NULL OR c.sent_at < s.until)
      AND (s.what = 'asked_for' OR NOT (c.purpose = 'escalation' OR c.is_collection))
QUALIFY row_number() OVER (PARTITION BY c.attempt_id ORDER BY s.since NULLS LAST) = 1;
