-- The payment feed the synthetic book will deliver: for every installment, what the borrower's latent
-- behaviour says they pay and when, at a local daytime (08:00-21:59 in their timezone) stored in UTC.
-- Covers the past and the future up to $start + $horizon_days (the daily run only applies payments up
-- to its own day). Never more than the amount due. source 'synthetic'. Returns the count.
--   early    1-5 days before due (3% of installments 1-10 days late instead)
--   on_time  on the due day (6%: 1-6 days late)
--   late     3-40 days late (15%: on the due day)
--   partial  30-70% on the due day, the rest 5-30 days late
--   never    on the due day (10%: 1-10 days late) until the loan's stop_date, then nothing
INSERT INTO payment_feed (payment_id, loan_id, amount, paid_at, source)
WITH inst AS (
    SELECT l.loan_id, l.j, l.timezone, l.behaviour, l.stop_date, i.installment_no, i.due_date, i.amount_due,
           syn_u($seed, l.j * 64 + i.installment_no, 'pay') AS u1,
           syn_u($seed, l.j * 64 + i.installment_no, 'days') AS u2,
           syn_u($seed, l.j * 64 + i.installment_no, 'part') AS u3,
           syn_u($seed, l.j * 64 + i.installment_no, 'rest') AS u4,
           syn_u($seed, l.j * 64 + i.installment_no, 'clock') AS u5,
           syn_u($seed, l.j * 64 + i.installment_no, 'clock2') AS u6
    FROM syn_loans AS l
    JOIN installments AS i ON i.loan_id = l.loan_id
    WHERE i.due_date <= $start::DATE + $horizon_days + 5
),
planned AS (
    -- first (or only) payment of each installment
    SELECT loan_id, j, installment_no, timezone, 'a' AS part, u5 AS u_clock,
           CASE behaviour
               WHEN 'early' THEN CASE WHEN u1 < 0.03 THEN due_date + (1 + floor(u2 * 10)::INT)
                                      ELSE due_date - (1 + floor(u2 * 5)::INT) END
               WHEN 'on_time' THEN CASE WHEN u1 < 0.06 THEN due_date + (1 + floor(u2 * 6)::INT) ELSE due_date END
               WHEN 'late' THEN CASE WHEN u1 < 0.15 THEN due_date ELSE due_date + (3 + floor(u2 * 38)::INT) END
               WHEN 'partial' THEN due_date
               ELSE CASE WHEN u1 < 0.10 THEN due_date + (1 + floor(u2 * 10)::INT) ELSE due_date END
           END AS paid_on,
           CASE WHEN behaviour = 'partial'
                THEN round(amount_due * (0.3 + 0.4 * u3), 2)::DECIMAL(18, 2)
                ELSE amount_due END AS amount
    FROM inst
    WHERE behaviour <> 'never' OR due_date < stop_date
    UNION ALL
    -- the rest of a partial payer's installment
    SELECT loan_id, j, installment_no, timezone, 'b', u6,
           due_date + (5 + floor(u4 * 26)::INT),
           amount_due - round(amount_due * (0.3 + 0.4 * u3), 2)::DECIMAL(18, 2)
    FROM inst
    WHERE behaviour = 'partial'
)
SELECT 'syn:' || loan_id || ':' || installment_no || ':' || part,
       loan_id,
       amount,
       timezone(timezone, paid_on::TIMESTAMP + INTERVAL (8 * 60 + floor(u_clock * 14 * 60)::INT) MINUTE),
       'synthetic'
FROM planned
WHERE amount > 0 AND paid_on <= $start::DATE + $horizon_days
ORDER BY j, installment_no, part;
