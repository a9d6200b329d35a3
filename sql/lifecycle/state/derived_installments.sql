-- derived_installments (temp table): the installment state as of $now of the loans of stale_loans
-- (every loan when no stored state stands for $now), with payments applied oldest installment first;
-- installment_state.sql adds the stored rows of the other loans. Columns as installment_state.
-- paid_amount/outstanding come from payments up to $now (payment_events: recorded, or arrived in
-- the feed and not recorded yet), so any past day can be re-derived without writing;
-- settled_at is when the running total of payments first covered this installment.
-- A kept repayment plan (kept_loans: arrangement_state, status 'kept' on $as_of) settles, as far as
-- loan-comms is concerned, exactly the installments it absorbed (arrangement_covered_installments: those its
-- schedule was computed from at its decision; the lender's ledger moved what was deferred):
-- outstanding 0, settled_at the plan's keeping, by_plan. Nothing else is settled by it: a loan's
-- payments before the plan's decision apply to its installments as always (they made the arrears the
-- plan was computed on), payments during the plan went to the plan, and payments after it
-- (settled_from) apply to the installments it did not absorb, oldest first. So the episode closes and
-- later installments are normal again, and an installment the plan never collected stays owed.
-- Per loan, the latest kept plan that covered it counts.
-- The second pass (payments after the plan, post_pay) only runs over the loans of a kept plan: for
-- every other loan what the first pass applied is all there is.
CREATE OR REPLACE TEMP TABLE derived_installments AS
WITH pay AS (   -- pre: before the kept plan's decision (or no kept plan); post: after it was kept
    SELECT e.loan_id, e.occurred_at, e.event_id, e.amount,
           k.loan_id IS NOT NULL AND e.occurred_at > k.settled_from AS post
    FROM payment_events AS e LEFT JOIN kept_loans AS k USING (loan_id)
    WHERE e.occurred_at <= $now
      AND (k.loan_id IS NULL OR e.occurred_at < k.decided_at OR e.occurred_at > k.settled_from)
      AND e.loan_id IN (SELECT loan_id FROM stale_loans)
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
    SELECT i.loan_id, i.installment_no, i.due_date, i.amount_due, k.kept_at, k.loan_id IS NOT NULL AS kept,
           c.installment_no IS NOT NULL AS by_plan,
           sum(i.amount_due) OVER (PARTITION BY i.loan_id ORDER BY i.installment_no ROWS UNBOUNDED PRECEDING) AS cum_all,
           coalesce(t.pre_paid, 0) AS pre_total, coalesce(t.post_paid, 0) AS post_total
    FROM (SELECT * FROM installments WHERE loan_id IN (SELECT loan_id FROM stale_loans)) AS i
    LEFT JOIN kept_loans AS k USING (loan_id)
    LEFT JOIN arrangement_covered_installments AS c
      ON c.arrangement_id = k.arrangement_id AND c.loan_id = i.loan_id AND c.installment_no = i.installment_no
    LEFT JOIN totals AS t ON t.loan_id = i.loan_id
),
pre AS (
    SELECT b.*, greatest(least(b.pre_total - (b.cum_all - b.amount_due), b.amount_due), 0) AS pre_part,
           CASE WHEN b.by_plan THEN 0 ELSE b.amount_due - greatest(least(b.pre_total - (b.cum_all - b.amount_due),
                                                                         b.amount_due), 0) END AS remaining
    FROM base AS b
),
first_pass AS (   -- paid_at: the payment whose running total first covered the installment
    SELECT p.*, q.occurred_at AS pre_paid_at
    FROM pre AS p
    ASOF LEFT JOIN pre_pay AS q ON q.loan_id = p.loan_id AND p.cum_all <= q.running_paid
),
plain AS (   -- no kept plan: the first pass is all
    SELECT loan_id, installment_no, due_date, amount_due, pre_part AS paid,
           CASE WHEN remaining > 0 THEN NULL ELSE pre_paid_at END AS paid_at, by_plan, kept_at
    FROM first_pass WHERE NOT kept
),
rem AS (
    SELECT f.*, sum(f.remaining) OVER (PARTITION BY f.loan_id ORDER BY f.installment_no ROWS UNBOUNDED PRECEDING) AS cum_rem
    FROM first_pass AS f WHERE f.kept
),
planned AS (   -- a kept plan: what payments after it apply to what it did not absorb, oldest first
    SELECT r.loan_id, r.installment_no, r.due_date, r.amount_due,
           r.pre_part + greatest(least(r.post_total - (r.cum_rem - r.remaining), r.remaining), 0) AS paid,
           CASE WHEN r.remaining > 0 THEN q.occurred_at ELSE r.pre_paid_at END AS paid_at, r.by_plan, r.kept_at
    FROM rem AS r
    ASOF LEFT JOIN post_pay AS q ON q.loan_id = r.loan_id AND r.cum_rem <= q.running_paid
),
applied AS (
    SELECT * FROM plain UNION ALL SELECT * FROM planned
)
SELECT a.loan_id, l.borrower_id, a.installment_no, a.due_date, a.amount_due,
       CASE WHEN a.by_plan THEN a.amount_due ELSE a.paid END AS paid_amount,
       CASE WHEN a.by_plan THEN 0 ELSE a.amount_due - a.paid END AS outstanding,
       CASE WHEN a.by_plan THEN a.kept_at ELSE a.paid_at END AS settled_at,
       a.by_plan
FROM applied AS a JOIN loans AS l USING (loan_id);
