-- recovered: what each arm of the experiment recovered, per currency (amounts in different currencies
-- are never added up): one row per (arm, currency) of the loans the arm's members hold, with
--   holders    members holding a loan in that currency (the denominator of "per borrower": intention
--              to treat, a holder who never fell behind or never paid counts as 0)
--   recovered  payments (payment_feed, on the borrower's local day) on their delinquent loans in that
--              currency inside each loan's cure window (units.sql) and by $as_of
-- Reads the temp tables of members.sql and units.sql (run them first). Sums only.
WITH held AS (
    SELECT DISTINCT m.arm, m.borrower_id, l.currency
    FROM experiment_members AS m JOIN loans AS l ON l.borrower_id = m.borrower_id
),
paid AS (
    SELECT u.arm, l.currency, sum(p.amount) AS recovered
    FROM experiment_units AS u
    JOIN experiment_members AS m ON m.borrower_id = u.borrower_id
    JOIN loans AS l ON l.loan_id = u.loan_id
    JOIN payment_feed AS p ON p.loan_id = u.loan_id
    WHERE timezone(m.timezone, p.paid_at)::DATE BETWEEN u.index_day AND least(u.window_end, $as_of::DATE)
    GROUP BY u.arm, l.currency
)
SELECT h.arm, h.currency, count(*) AS holders, coalesce(any_value(p.recovered), 0)::DECIMAL(18, 2) AS recovered
FROM held AS h
LEFT JOIN paid AS p ON p.arm = h.arm AND p.currency = h.currency
GROUP BY h.arm, h.currency
ORDER BY h.arm, h.currency;
