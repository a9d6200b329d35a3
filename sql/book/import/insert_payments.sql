-- Feeds the exported amount_paid of clean installments into payment_feed (source 'import').
-- payment_id is 'import:<loan_id>:<installment_no>'; when a later export shows more paid than earlier
-- imports fed, the difference is added as 'import:<loan_id>:<installment_no>:<n>'. Re-importing the
-- same file adds nothing; a lower amount_paid than already fed is ignored (payments are never undone
-- by an export). paid_at is the exported paid_at, else $now. Returns the number of rows added.
INSERT INTO payment_feed (payment_id, loan_id, amount, paid_at, source)
SELECT CASE WHEN coalesce(h.n, 0) = 0 THEN w.base ELSE w.base || ':' || (h.n + 1) END,
       w.loan_id, w.amount_paid - coalesce(h.fed, 0), w.paid_at, 'import'
FROM (
    SELECT loan_id, amount_paid, coalesce(paid_at, $now) AS paid_at,
           'import:' || loan_id || ':' || installment_no AS base
    FROM import_resolved
    WHERE NOT quarantined AND amount_paid > 0
) AS w
LEFT JOIN (
    SELECT x.base, count(*) AS n, sum(f.amount) AS fed
    FROM (SELECT DISTINCT loan_id, 'import:' || loan_id || ':' || installment_no AS base
          FROM import_resolved WHERE NOT quarantined AND amount_paid > 0) AS x
    JOIN payment_feed AS f
      ON f.loan_id = x.loan_id AND (f.payment_id = x.base OR starts_with(f.payment_id, x.base || ':'))
    GROUP BY x.base
) AS h USING (base)
WHERE w.amount_paid > coalesce(h.fed, 0);
