-- arrangement_installment_state: each installment of every plan accepted by $now (arrangements
-- decided 'active' at or before $now), as of $now and local day $as_of. Payments to the plan's
-- covered loans since its decided_at (payment_events, up to $now) count toward it cumulatively, in
-- order (oldest plan installment first), like installment_state does for a loan's own schedule.
--   paid_amount / short   what of the installment is covered, and what is still to pay;
--   covered_at / _day     the payment instant (and its local day) that completed it (a zero
--                         installment: the decision itself);
--   missed_on             the local day due_date + missed_after_days when the installment was still
--                         short as that day began (the day's plan sees payments up to its start,
--                         clock.plan_instant), and that day is <= $as_of; else NULL;
--   break_on              the same with break_after_days: the day the plan breaks on.
-- Config: cfg_arrangements (register_policy_tables). Pure derivation, writes nothing.
CREATE OR REPLACE TEMP TABLE arrangement_installment_state AS
WITH plan AS (
    SELECT a.arrangement_id, a.decided_at, b.timezone
    FROM arrangements AS a JOIN borrowers AS b USING (borrower_id)
    WHERE a.status = 'active' AND a.decided_at <= $now
),
pay AS (
    SELECT p.arrangement_id, e.occurred_at,
           sum(e.amount) OVER (PARTITION BY p.arrangement_id ORDER BY e.occurred_at, e.loan_id, e.amount, e.event_id
                               ROWS UNBOUNDED PRECEDING) AS running_paid
    FROM plan AS p
    JOIN arrangement_loans AS l USING (arrangement_id)
    JOIN payment_events AS e ON e.loan_id = l.loan_id AND e.occurred_at >= p.decided_at AND e.occurred_at <= $now
),
totals AS (
    SELECT arrangement_id, max(running_paid) AS paid FROM pay GROUP BY arrangement_id
),
inst AS (
    SELECT i.arrangement_id, i.installment_no, i.due_date, i.amount,
           sum(i.amount) OVER (PARTITION BY i.arrangement_id ORDER BY i.installment_no
                               ROWS UNBOUNDED PRECEDING) AS cum_due
    FROM arrangement_installments AS i JOIN plan USING (arrangement_id)
),
judged AS (
    SELECT inst.*, plan.timezone,
           greatest(least(coalesce(t.paid, 0) - (inst.cum_due - inst.amount), inst.amount), 0) AS paid_amount,
           CASE WHEN inst.amount <= 0 THEN plan.decided_at ELSE p.occurred_at END AS covered_at
    FROM inst
    JOIN plan USING (arrangement_id)
    LEFT JOIN totals AS t USING (arrangement_id)
    ASOF LEFT JOIN pay AS p ON p.arrangement_id = inst.arrangement_id AND inst.cum_due <= p.running_paid
),
dated AS (
    SELECT j.*, j.amount - j.paid_amount AS short,
           timezone(j.timezone, j.covered_at)::DATE AS covered_day,
           j.due_date + c.missed_after_days AS missed_day,
           j.due_date + c.break_after_days AS break_day
    FROM judged AS j, cfg_arrangements AS c
)
SELECT arrangement_id, installment_no, due_date, amount, cum_due, paid_amount, short, covered_at, covered_day,
       CASE WHEN missed_day <= $as_of::DATE AND (covered_day IS NULL OR covered_day >= missed_day)
            THEN missed_day END AS missed_on,
       CASE WHEN break_day <= $as_of::DATE AND (covered_day IS NULL OR covered_day >= break_day)
            THEN break_day END AS break_on
FROM dated;
