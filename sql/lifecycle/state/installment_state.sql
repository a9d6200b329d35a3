-- installment_state: every installment as of $now, with payments applied oldest installment first.
-- paid_amount/outstanding come from payments up to $now (payment_events: recorded, or arrived in
-- the feed and not recorded yet), so any past day can be re-derived without writing;
-- settled_at is when the running total of payments first covered this installment.
-- A kept repayment plan (arrangement_state, status 'kept' on $as_of) settles, as far as loan-comms
-- is concerned, every installment of the loans it covered that fell due up to its ends_on (the
-- lender's ledger moved what was deferred): outstanding 0, settled_at the plan's keeping, by_plan.
-- Only the loan's payments after the plan (settled_from) apply to its later installments: what was
-- paid during it went to the plan. So the episode closes and later installments are normal again.
-- With $pending_only, only loans with a planned contact whose window has opened (the re-check before send).
CREATE OR REPLACE TEMP TABLE installment_state AS
WITH scope AS (
    SELECT DISTINCT loan_id FROM contact_attempts
    WHERE $pending_only AND status = 'planned' AND send_after <= $now AND ($day::DATE IS NULL OR planned_for_date = $day::DATE)
),
kept AS (   -- per loan, the latest plan kept that covered it
    SELECT l.loan_id, arg_max(s.ends_on, s.kept_on) AS settled_through, arg_max(s.settled_from, s.kept_on) AS settled_from,
           arg_max(s.kept_at, s.kept_on) AS kept_at
    FROM arrangement_state AS s JOIN arrangement_loans AS l USING (arrangement_id)
    WHERE s.status = 'kept'
    GROUP BY l.loan_id
),
pay AS (
    SELECT e.loan_id, e.occurred_at,
           sum(e.amount) OVER (PARTITION BY e.loan_id ORDER BY e.occurred_at, e.event_id
                               ROWS UNBOUNDED PRECEDING) AS running_paid
    FROM payment_events AS e LEFT JOIN kept AS k USING (loan_id)
    WHERE e.occurred_at <= $now
      AND (k.loan_id IS NULL OR e.occurred_at > k.settled_from)
      AND (NOT $pending_only OR e.loan_id IN (SELECT loan_id FROM scope))
),
totals AS (
    SELECT loan_id, max(running_paid) AS total_paid FROM pay GROUP BY loan_id
),
inst AS (
    SELECT i.loan_id, i.installment_no, i.due_date, i.amount_due,
           coalesce(i.due_date <= k.settled_through, false) AS by_plan, k.kept_at,
           sum(CASE WHEN i.due_date <= k.settled_through THEN 0 ELSE i.amount_due END)
               OVER (PARTITION BY i.loan_id ORDER BY i.installment_no ROWS UNBOUNDED PRECEDING) AS cum_due
    FROM installments AS i LEFT JOIN kept AS k USING (loan_id)
    WHERE NOT $pending_only OR i.loan_id IN (SELECT loan_id FROM scope)
),
applied AS (
    SELECT inst.*, l.borrower_id,
           greatest(least(coalesce(t.total_paid, 0) - (inst.cum_due - inst.amount_due), inst.amount_due), 0) AS paid,
           p.occurred_at AS paid_at
    FROM inst
    JOIN loans AS l USING (loan_id)
    LEFT JOIN totals AS t USING (loan_id)
    ASOF LEFT JOIN pay AS p ON p.loan_id = inst.loan_id AND inst.cum_due <= p.running_paid
)
SELECT loan_id, borrower_id, installment_no, due_date, amount_due,
       CASE WHEN by_plan THEN amount_due ELSE paid END AS paid_amount,
       CASE WHEN by_plan THEN 0 ELSE amount_due - paid END AS outstanding,
       CASE WHEN by_plan THEN kept_at ELSE paid_at END AS settled_at,
       by_plan
FROM applied;
