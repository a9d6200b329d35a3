-- syn_loans: $loans synthetic loans over syn_borrowers (returns nothing). Every borrower has one loan,
-- the rest go to random borrowers (~1.15 loans each). Products by segment, principal log-uniform in a
-- realistic range per product and currency (CNY in Asia, GBP in London, USD in America), 3-24 monthly
-- installments of principal/n + flat monthly interest, opened so that on $start the loan is somewhere
-- in its schedule, with due dates on every day of the month. stop_date: when a 'never' borrower stops paying.
-- Stored in loan order (j), so the installments and payments generated from it come out in that
-- order without sorting millions of rows.
CREATE OR REPLACE TEMP TABLE syn_loans AS
WITH l AS (
    SELECT j,
           'L' || lpad((j + 1)::VARCHAR, 8, '0') AS loan_id,
           CASE WHEN j < $n_borrowers THEN j
                ELSE floor(syn_u($seed, j, 'owner') * $n_borrowers)::BIGINT END AS bi,
           syn_u($seed, j, 'product') AS u_product,
           syn_u($seed, j, 'principal') AS u_principal,
           syn_u($seed, j, 'term') AS u_term,
           syn_u($seed, j, 'elapsed') AS u_elapsed,
           syn_u($seed, j, 'day') AS u_day,
           syn_u($seed, j, 'stop') AS u_stop
    FROM range($loans) AS r(j)
),
p AS (
    SELECT l.*, b.borrower_id, b.timezone, b.behaviour,
           CASE WHEN b.segment = 'small_business' THEN 'sme_working_capital'
                WHEN u_product < 0.50 THEN 'personal_loan'
                WHEN u_product < 0.85 THEN 'credit_card_instalment'
                ELSE 'auto_loan' END AS product,
           CASE WHEN b.timezone LIKE 'Asia/%' THEN 'CNY' WHEN b.timezone = 'Europe/London' THEN 'GBP'
                ELSE 'USD' END AS currency
    FROM l JOIN syn_borrowers AS b ON b.i = l.bi
),
terms AS (
    SELECT p.*,
           CASE product WHEN 'personal_loan' THEN [3000, 200000] WHEN 'credit_card_instalment' THEN [1000, 50000]
                        WHEN 'auto_loan' THEN [50000, 300000] ELSE [100000, 2000000] END AS cny_range,
           CASE currency WHEN 'CNY' THEN 1.0 WHEN 'USD' THEN 7.1 ELSE 9.0 END AS fx,
           syn_pick(CASE product WHEN 'personal_loan' THEN [3, 6, 12, 12, 18, 24]
                                 WHEN 'credit_card_instalment' THEN [3, 6, 6, 9, 12, 12]
                                 WHEN 'auto_loan' THEN [12, 18, 24, 24]
                                 ELSE [6, 9, 12, 18, 24] END, u_term) AS n_installments,
           CASE product WHEN 'personal_loan' THEN 0.009 WHEN 'credit_card_instalment' THEN 0.006
                        WHEN 'auto_loan' THEN 0.004 ELSE 0.008 END AS monthly_rate
    FROM p
),
priced AS (
    SELECT terms.*,
           (round(exp(ln(cny_range[1]) + u_principal * (ln(cny_range[2]) - ln(cny_range[1]))) / fx / 50) * 50)::DECIMAL(18, 2)
               AS principal,
           floor(u_elapsed * n_installments)::INT AS months_elapsed
    FROM terms
)
SELECT loan_id, borrower_id, bi, j, product, currency, principal, n_installments, timezone, behaviour,
       round(principal / n_installments + principal * monthly_rate, 2)::DECIMAL(18, 2) AS amount_due,
       ($start::DATE - INTERVAL (months_elapsed) MONTH - INTERVAL (floor(u_day * 31)::INT) DAY)::DATE AS opened_on,
       CASE WHEN behaviour = 'never' THEN $start::DATE + (floor(u_stop * 150)::INT - 60) END AS stop_date
FROM priced
ORDER BY j;
