-- The whole book as import-format rows (one per installment; docs/import_format.md), by borrower,
-- loan and installment: write_book_file COPYs this query straight to the file (nothing is staged).
-- With $use_feed, amount_paid is the payment feed up to $as_of applied oldest installment first and
-- paid_at the moment the installment was covered (or the last payment, if only part is paid);
-- otherwise installments.amount_paid / paid_at as the daily run derived them.
WITH pay AS (
    SELECT loan_id, paid_at,
           sum(amount) OVER (PARTITION BY loan_id ORDER BY paid_at, payment_id ROWS UNBOUNDED PRECEDING) AS running
    FROM payment_feed
    WHERE $use_feed AND paid_at <= $as_of
),
totals AS (
    SELECT loan_id, max(running) AS total, max(paid_at) AS last_paid FROM pay GROUP BY loan_id
),
inst AS (
    SELECT i.*,
           sum(i.amount_due) OVER (PARTITION BY i.loan_id ORDER BY i.installment_no ROWS UNBOUNDED PRECEDING) AS cum_due
    FROM installments AS i
),
alloc AS (
    SELECT inst.loan_id, inst.installment_no,
           greatest(least(coalesce(t.total, 0) - (inst.cum_due - inst.amount_due), inst.amount_due), 0) AS paid,
           t.last_paid, p.paid_at AS settled_at
    FROM inst
    LEFT JOIN totals AS t USING (loan_id)
    ASOF LEFT JOIN pay AS p ON p.loan_id = inst.loan_id AND inst.cum_due <= p.running
)
SELECT b.borrower_id, b.full_name, b.first_name, b.phone_e164, b.email, b.language, b.timezone,
       b.jurisdiction, b.segment, l.loan_id, l.product, l.principal, l.currency, l.opened_on,
       i.installment_no, i.due_date, i.amount_due,
       CASE WHEN $use_feed THEN nullif(a.paid, 0) ELSE nullif(i.amount_paid, 0) END::DECIMAL(18, 2) AS amount_paid,
       CASE WHEN $use_feed THEN CASE WHEN a.paid >= i.amount_due THEN a.settled_at WHEN a.paid > 0 THEN a.last_paid END
            ELSE i.paid_at END AS paid_at,
       b.city, b.district
FROM installments AS i
JOIN loans AS l USING (loan_id)
JOIN borrowers AS b USING (borrower_id)
LEFT JOIN alloc AS a ON a.loan_id = i.loan_id AND a.installment_no = i.installment_no
ORDER BY b.borrower_id, l.loan_id, i.installment_no
