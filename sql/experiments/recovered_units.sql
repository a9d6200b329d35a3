-- recovered_units: per member and currency of the loans they hold (temp table experiment_recovered:
-- arm, borrower_id, currency, recovered), what was paid on their delinquent loans in that currency
-- (payment_feed, on the borrower's local day) inside each loan's cure window (units.sql) and by
-- $as_of; a holder who never fell behind or never paid has 0 (intention to treat). Amounts in
-- different currencies are never added up. Read by recovered.sql (sums per arm) and
-- outcome_values.sql (the values behind the difference of the means). Reads the temp tables of
-- members.sql and units.sql (run them first). Returns nothing.
CREATE OR REPLACE TEMP TABLE experiment_recovered AS
WITH held AS (
    SELECT DISTINCT m.arm, m.borrower_id, l.currency
    FROM experiment_members AS m JOIN loans AS l ON l.borrower_id = m.borrower_id
),
paid AS (
    SELECT u.borrower_id, l.currency, sum(p.amount) AS recovered
    FROM experiment_units AS u
    JOIN experiment_members AS m ON m.borrower_id = u.borrower_id
    JOIN loans AS l ON l.loan_id = u.loan_id
    JOIN payment_feed AS p ON p.loan_id = u.loan_id
    WHERE timezone(m.timezone, p.paid_at)::DATE BETWEEN u.index_day AND least(u.window_end, $as_of::DATE)
    GROUP BY u.borrower_id, l.currency
)
SELECT h.arm, h.borrower_id, h.currency, coalesce(p.recovered, 0)::DECIMAL(18, 2) AS recovered
FROM held AS h LEFT JOIN paid AS p ON p.borrower_id = h.borrower_id AND p.currency = h.currency;
