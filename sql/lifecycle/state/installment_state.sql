-- installment_state: every installment as of $now, with payments applied oldest installment first.
-- paid_amount/outstanding come from payments up to $now (payment_events: recorded, or arrived in
-- the feed and not recorded yet), so any past day can be re-derived without writing;
-- settled_at is when the running total of payments first covered this installment.
-- With $pending_only, only loans with a planned contact whose window has opened (the re-check before send).
CREATE OR REPLACE TEMP TABLE installment_state AS
WITH scope AS (
    SELECT DISTINCT loan_id FROM contact_attempts
    WHERE $pending_only AND status = 'planned' AND send_after <= $now AND ($day::DATE IS NULL OR planned_for_date = $day::DATE)
),
pay AS (
    SELECT loan_id, occurred_at,
           sum(amount) OVER (PARTITION BY loan_id ORDER BY occurred_at, event_id
                             ROWS UNBOUNDED PRECEDING) AS running_paid
    FROM payment_events
    WHERE occurred_at <= $now
      AND (NOT $pending_only OR loan_id IN (SELECT loan_id FROM scope))
),
totals AS (
    SELECT loan_id, max(running_paid) AS total_paid FROM pay GROUP BY loan_id
),
inst AS (
    SELECT i.loan_id, i.installment_no, i.due_date, i.amount_due,
           sum(i.amount_due) OVER (PARTITION BY i.loan_id ORDER BY i.installment_no
                                   ROWS UNBOUNDED PRECEDING) AS cum_due
    FROM installments AS i
    WHERE NOT $pending_only OR i.loan_id IN (SELECT loan_id FROM scope)
)
SELECT inst.loan_id,
       l.borrower_id,
       inst.installment_no,
       inst.due_date,
       inst.amount_due,
       greatest(least(coalesce(t.total_paid, 0) - (inst.cum_due - inst.amount_due), inst.amount_due), 0)
           AS paid_amount,
       inst.amount_due - greatest(least(coalesce(t.total_paid, 0) - (inst.cum_due - inst.amount_due),
                                        inst.amount_due), 0) AS outstanding,
       p.occurred_at AS settled_at
FROM inst
JOIN loans AS l USING (loan_id)
LEFT JOIN totals AS t USING (loan_id)
ASOF LEFT JOIN pay AS p ON p.loan_id = inst.loan_id AND inst.cum_due <= p.running_paid;
