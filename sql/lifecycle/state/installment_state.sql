-- installment_state: every installment as of $now, with payments applied oldest installment first.
-- paid_amount/outstanding come from payments up to $now (payment_events: recorded, or arrived in
-- the feed and not recorded yet), so any past day can be re-derived without writing;
-- settled_at is when the running total of payments first covered this installment.
-- A kept repayment plan (arrangement_state, status 'kept' on $as_of) settles, as far as loan-comms
-- is concerned, exactly the installments it absorbed (arrangement_covered_installments: those its
-- schedule was computed from at its decision; the lender's ledger moved what was deferred):
-- outstanding 0, settled_at the plan's keeping, by_plan. Nothing else is settled by it: a loan's
-- payments before the plan's decision apply to its installments as always (they made the arrears the
-- plan was computed on), payments during the plan went to the plan, and payments after it
-- (settled_from) apply to the installments it did not absorb, oldest first. So the episode closes and
-- later installments are normal again, and an installment the plan never collected stays owed.
-- Per loan, the latest kept plan that covered it counts.
-- With $pending_only, only loans with a planned contact whose window has opened (the re-check before send),
-- or with an assigned call a dialer may still dial (dial_until ahead: re-judged, sql/policy/recheck/held_calls.sql).
CREATE OR REPLACE TEMP TABLE installment_state AS
WITH scope AS (
    SELECT DISTINCT loan_id FROM contact_attempts
    WHERE $pending_only AND ($day::DATE IS NULL OR planned_for_date = $day::DATE)
      AND ((status = 'planned' AND send_after <= $now)
           OR (channel = 'call' AND status IN ('planned', 'sent')       -- a call a dialer may still dial
               AND attempt_id IN (SELECT attempt_id FROM call_assignments WHERE outcome = 'assigned' AND dial_until > $now)))
),
kept AS (   -- per loan, the latest plan kept that covered it
    SELECT l.loan_id, arg_max(s.arrangement_id, s.kept_on) AS arrangement_id,
           arg_max(s.decided_at, s.kept_on) AS decided_at, arg_max(s.settled_from, s.kept_on) AS settled_from,
           arg_max(s.kept_at, s.kept_on) AS kept_at
    FROM arrangement_state AS s JOIN arrangement_loans AS l USING (arrangement_id)
    WHERE s.status = 'kept'
    GROUP BY l.loan_id
),
pay AS (   -- pre: before the kept plan's decision (or no kept plan); post: after it was kept
    SELECT e.loan_id, e.occurred_at, e.event_id, e.amount,
           k.loan_id IS NOT NULL AND e.occurred_at > k.settled_from AS post
    FROM payment_events AS e LEFT JOIN kept AS k USING (loan_id)
    WHERE e.occurred_at <= $now
      AND (k.loan_id IS NULL OR e.occurred_at < k.decided_at OR e.occurred_at > k.settled_from)
      AND (NOT $pending_only OR e.loan_id IN (SELECT loan_id FROM scope))
),
run AS (
    SELECT loan_id, occurred_at, post,
           sum(amount) OVER (PARTITION BY loan_id, post ORDER BY occurred_at, event_id
                             ROWS UNBOUNDED PRECEDING) AS running_paid
    FROM pay
),
pre_pay AS (SELECT loan_id, occurred_at, running_paid FROM run WHERE NOT post),
post_pay AS (SELECT loan_id, occurred_at, running_paid FROM run WHERE post),
totals AS (
    SELECT loan_id, coalesce(max(running_paid) FILTER (WHERE NOT post), 0) AS pre_paid,
           coalesce(max(running_paid) FILTER (WHERE post), 0) AS post_paid
    FROM run GROUP BY loan_id
),
base AS (
    SELECT i.loan_id, i.installment_no, i.due_date, i.amount_due, k.kept_at,
           c.installment_no IS NOT NULL AS by_plan,
           sum(i.amount_due) OVER (PARTITION BY i.loan_id ORDER BY i.installment_no ROWS UNBOUNDED PRECEDING) AS cum_all,
           coalesce(t.pre_paid, 0) AS pre_total, coalesce(t.post_paid, 0) AS post_total
    FROM installments AS i
    LEFT JOIN kept AS k USING (loan_id)
    LEFT JOIN arrangement_covered_installments AS c
      ON c.arrangement_id = k.arrangement_id AND c.loan_id = i.loan_id AND c.installment_no = i.installment_no
    LEFT JOIN totals AS t ON t.loan_id = i.loan_id
    WHERE NOT $pending_only OR i.loan_id IN (SELECT loan_id FROM scope)
),
pre AS (
    SELECT b.*, greatest(least(b.pre_total - (b.cum_all - b.amount_due), b.amount_due), 0) AS pre_part
    FROM base AS b
),
rem AS (
    SELECT p.*, CASE WHEN p.by_plan THEN 0 ELSE p.amount_due - p.pre_part END AS remaining,
           sum(CASE WHEN p.by_plan THEN 0 ELSE p.amount_due - p.pre_part END)
               OVER (PARTITION BY p.loan_id ORDER BY p.installment_no ROWS UNBOUNDED PRECEDING) AS cum_rem
    FROM pre AS p
),
applied AS (
    SELECT r.*, l.borrower_id,
           r.pre_part + greatest(least(r.post_total - (r.cum_rem - r.remaining), r.remaining), 0) AS paid,
           CASE WHEN r.remaining > 0 THEN q.occurred_at ELSE p.occurred_at END AS paid_at
    FROM rem AS r
    JOIN loans AS l USING (loan_id)
    ASOF LEFT JOIN pre_pay AS p ON p.loan_id = r.loan_id AND r.cum_all <= p.running_paid
    ASOF LEFT JOIN post_pay AS q ON q.loan_id = r.loan_id AND r.cum_rem <= q.running_paid
)
SELECT loan_id, borrower_id, installment_no, due_date, amount_due,
       CASE WHEN by_plan THEN amount_due ELSE paid END AS paid_amount,
       CASE WHEN by_plan THEN 0 ELSE amount_due - paid END AS outstanding,
       CASE WHEN by_plan THEN kept_at ELSE paid_at END AS settled_at,
       by_plan
FROM applied;
