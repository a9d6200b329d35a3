-- The payment feed the synthetic book will deliver: for every installment, what the borrower's latent
-- behaviour says they pay and when, at a local daytime (08:00-21:59 in their timezone) stored in UTC.
-- Covers the past and the future up to $start + $horizon_days (the daily run only applies payments up
-- to its own day). Never more than the amount due. source 'synthetic'. Returns the count.
--   early    1-5 days before due (3% of installments 1-10 days late instead)
--   on_time  on the due day (6%: 1-6 days late)
--   late     3-40 days late (15%: on the due day)
--   partial  30-70% on the due day, the rest 5-30 days late
--   never    on the due day (10%: 1-10 days late) until the loan's stop_date, then nothing
-- Contact-responsive loans: a share $responsive_share of the 'late' borrowers' loans (drawn per
-- loan) have no pre-generated late payment: they pay a late installment only when contact moves
-- them (the simulator's sql/simulation/contact_payments.sql, loan_comms/simulation/response.py);
-- their on-the-due-day payments stay. 0 (the default) generates the book as before.
-- Installments are re-derived from syn_loans (as insert_installments.sql writes them) rather than read
-- back and joined; the local time becomes UTC through syn_zone_noons (one conversion per zone and day).
INSERT INTO payment_feed (payment_id, loan_id, amount, paid_at, source)
WITH inst AS (
    SELECT loan_id, j, timezone, behaviour, stop_date, k AS installment_no, amount_due,
           (opened_on + INTERVAL (k) MONTH)::DATE AS due_date,
           syn_u($seed, j * 64 + k, 'pay') AS u1,
           syn_u($seed, j * 64 + k, 'days') AS u2,
           syn_u($seed, j * 64 + k, 'part') AS u3,
           syn_u($seed, j * 64 + k, 'rest') AS u4,
           syn_u($seed, j * 64 + k, 'clock') AS u5,
           syn_u($seed, j * 64 + k, 'clock2') AS u6
    FROM (SELECT loan_id, j, timezone, behaviour, stop_date, amount_due, opened_on,
                 unnest(range(1, n_installments + 1)) AS k
          FROM syn_loans)
),
planned AS (
    -- first (or only) payment of each installment, and the rest of a partial payer's installment
    SELECT loan_id, installment_no, timezone,
           unnest(CASE
               WHEN behaviour = 'partial' THEN
                   [{'part': 'a', 'paid_on': due_date, 'u_clock': u5,
                     'amount': round(amount_due * (0.3 + 0.4 * u3), 2)::DECIMAL(18, 2)},
                    {'part': 'b', 'paid_on': due_date + (5 + floor(u4 * 26)::INT), 'u_clock': u6,
                     'amount': amount_due - round(amount_due * (0.3 + 0.4 * u3), 2)::DECIMAL(18, 2)}]
               WHEN behaviour <> 'never' OR due_date < stop_date THEN
                   [{'part': 'a', 'u_clock': u5, 'amount': amount_due,
                     'paid_on': CASE behaviour
                         WHEN 'early' THEN CASE WHEN u1 < 0.03 THEN due_date + (1 + floor(u2 * 10)::INT)
                                                ELSE due_date - (1 + floor(u2 * 5)::INT) END
                         WHEN 'on_time' THEN CASE WHEN u1 < 0.06 THEN due_date + (1 + floor(u2 * 6)::INT) ELSE due_date END
                         WHEN 'late' THEN CASE WHEN u1 < 0.15 THEN due_date ELSE due_date + (3 + floor(u2 * 38)::INT) END
                         ELSE CASE WHEN u1 < 0.10 THEN due_date + (1 + floor(u2 * 10)::INT) ELSE due_date END
                     END}]
           END, recursive := true)
    FROM inst
    WHERE due_date <= $start::DATE + $horizon_days + 5
      AND NOT (behaviour = 'late' AND u1 >= 0.15 AND syn_u($seed, j, 'responsive') < $responsive_share)
)
SELECT 'syn:' || p.loan_id || ':' || p.installment_no || ':' || p.part,
       p.loan_id,
       p.amount,
       z.utc_noon + INTERVAL (floor(p.u_clock * 14 * 60)::INT - 4 * 60) MINUTE,
       'synthetic'
FROM planned AS p
JOIN syn_zone_noons AS z ON z.timezone = p.timezone AND z.day = p.paid_on
WHERE p.amount > 0 AND p.paid_on <= $start::DATE + $horizon_days;
