-- plan_contact_after_covered: Did a plan's reminder or missed-payment contact go out about a plan
-- installment that was already covered, or after the plan had ended?
-- Read from the log on its own, not the planner's SQL: the plan a contact is about is the latest
-- plan accepted on its loan before it went (arrangement_accepted events: detail arrangement_id,
-- occurred_at the decision); the installment was covered when an arrangement_payment event of that
-- plan and installment precedes the contact, or when the payments ('payment' events) to the plan's
-- loans (arrangement_loans) from its acceptance to the contact reach the plan's installments
-- (arrangement_installments) up to and including that one; the plan had ended when its
-- arrangement_broken or arrangement_kept event precedes the contact.
-- Checked: every attempted arrangement_reminder and arrangement_missed contact.
-- Violation: as above, or a plan contact with no plan accepted on its loan before it.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH checked AS (
    SELECT c.* FROM audit_contacts AS c WHERE c.step IN ('arrangement_reminder', 'arrangement_missed')
),
accepted AS (
    SELECT json_extract_string(e.detail, '$.arrangement_id') AS arrangement_id, e.loan_id, e.occurred_at
    FROM borrower_events AS e WHERE e.kind = 'arrangement_accepted'
),
plan_of AS (
    SELECT k.attempt_id, arg_max(a.arrangement_id, a.occurred_at) AS arrangement_id,
           max(a.occurred_at) AS accepted_at
    FROM checked AS k JOIN accepted AS a ON a.loan_id = k.loan_id AND a.occurred_at <= k.sent_at
    GROUP BY k.attempt_id
),
ended AS (
    SELECT p.attempt_id, arg_min(e.kind, e.occurred_at) AS ended_by, min(e.occurred_at) AS ended_at
    FROM plan_of AS p
    JOIN checked AS k USING (attempt_id)
    JOIN borrower_events AS e
      ON e.kind IN ('arrangement_broken', 'arrangement_kept') AND e.occurred_at < k.sent_at
     AND json_extract_string(e.detail, '$.arrangement_id') = p.arrangement_id
    GROUP BY p.attempt_id
),
paid_event AS (
    SELECT p.attempt_id, min(e.occurred_at) AS covered_at
    FROM plan_of AS p
    JOIN checked AS k USING (attempt_id)
    JOIN borrower_events AS e
      ON e.kind = 'arrangement_payment' AND e.occurred_at < k.sent_at
     AND json_extract_string(e.detail, '$.arrangement_id') = p.arrangement_id
     AND TRY_CAST(json_extract_string(e.detail, '$.installment_no') AS INTEGER) = k.installment_no
    GROUP BY p.attempt_id
),
paid_sum AS (
    SELECT p.attempt_id, sum(e.amount) AS paid
    FROM plan_of AS p
    JOIN checked AS k USING (attempt_id)
    JOIN arrangement_loans AS l ON l.arrangement_id = p.arrangement_id
    JOIN borrower_events AS e
      ON e.kind = 'payment' AND e.loan_id = l.loan_id AND e.occurred_at >= p.accepted_at AND e.occurred_at < k.sent_at
    GROUP BY p.attempt_id
),
due_sum AS (
    SELECT p.attempt_id, sum(i.amount) AS due_through, count(*) AS n
    FROM plan_of AS p
    JOIN checked AS k USING (attempt_id)
    JOIN arrangement_installments AS i
      ON i.arrangement_id = p.arrangement_id AND i.installment_no <= k.installment_no
    GROUP BY p.attempt_id
)
SELECT k.attempt_id, k.borrower_id, k.loan_id, k.installment_no, k.channel, k.purpose, k.step,
       k.sent_at, k.sent_day, p.arrangement_id, x.ended_by, x.ended_at, pe.covered_at,
       coalesce(ps.paid, 0) AS paid_since_acceptance, d.due_through,
       CASE
           WHEN p.attempt_id IS NULL THEN 'plan contact with no plan accepted on the loan before it'
           WHEN x.attempt_id IS NOT NULL
               THEN 'plan contact after the plan ended (' || x.ended_by || ' at '
                    || strftime(x.ended_at, '%Y-%m-%d %H:%M') || ' UTC)'
           WHEN pe.attempt_id IS NOT NULL
               THEN 'plan installment ' || k.installment_no || ' already covered at '
                    || strftime(pe.covered_at, '%Y-%m-%d %H:%M') || ' UTC'
           WHEN k.installment_no IS NOT NULL AND d.n > 0 AND coalesce(ps.paid, 0) >= d.due_through
               THEN 'plan installment ' || k.installment_no || ' already covered by payments before it went'
       END AS violation
FROM checked AS k
LEFT JOIN plan_of AS p USING (attempt_id)
LEFT JOIN ended AS x USING (attempt_id)
LEFT JOIN paid_event AS pe USING (attempt_id)
LEFT JOIN paid_sum AS ps USING (attempt_id)
LEFT JOIN due_sum AS d USING (attempt_id);
