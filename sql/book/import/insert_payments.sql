-- Feeds the exported amount_paid of clean installments into payment_feed (source 'import').
-- payment_id is 'import:<loan_id>:<installment_no>'; when a later export shows more paid than earlier
-- imports fed, the difference is added as 'import:<loan_id>:<installment_no>:<n>'. Re-importing the
-- same file adds nothing; a lower amount_paid than already fed is ignored (payments are never undone
-- by an export). paid_at is the exported paid_at, else $now. Returns the number of rows added.
-- What was fed is summed per installment id: a feed row 'import:<loan_id>:<no>[:<n>]' of that loan
-- belongs to installment <no> (an equality join, not a prefix match of every pair of rows of a loan).
INSERT INTO payment_feed (payment_id, loan_id, amount, paid_at, source)
WITH paid AS (
    SELECT loan_id, amount_paid, coalesce(paid_at, $now) AS paid_at,
           'import:' || loan_id || ':' || installment_no AS base
    FROM import_loadable
    WHERE amount_paid > 0
),
fed AS (
    SELECT base, count(*) AS n, sum(amount) AS fed
    FROM (SELECT f.amount,
                 'import:' || f.loan_id || ':'
                 || split_part(substr(f.payment_id, length('import:' || f.loan_id || ':') + 1), ':', 1) AS base
          FROM payment_feed AS f
          WHERE f.loan_id IN (SELECT loan_id FROM paid)
            AND starts_with(f.payment_id, 'import:' || f.loan_id || ':'))
    GROUP BY base
)
SELECT CASE WHEN coalesce(h.n, 0) = 0 THEN w.base ELSE w.base || ':' || (h.n + 1) END,
       w.loan_id, w.amount_paid - coalesce(h.fed, 0), w.paid_at, 'import'
FROM paid AS w
LEFT JOIN fed AS h USING (base)
WHERE w.amount_paid > coalesce(h.fed, 0);
