-- Follow-ups answering what the borrower did, as of $as_of (events known by $now):
--   hardship_offer        a repayment-plan offer after a hardship request, on the loan it named
--                         (once per request; the pause itself reaches every loan: loan_flags);
--   broken_promise        the promised date + 1 day passed without the promised payment;
--   payment_confirmation  thanks for payments that arrived in the 24 hours before $now on a loan
--                         in collections (each payment is confirmed by exactly one day's run).
-- Adds rows to candidates, on the channels config [follow_ups] names.
INSERT INTO candidates
WITH taken AS (   -- the two steps asked about below, not every follow-up ever made
    SELECT loan_id, step, max(planned_for_date) AS last_day
    FROM contact_attempts
    WHERE purpose = 'follow_up' AND planned_for_date < $as_of::DATE   -- a re-run re-proposes the same keys
      AND step IN ('hardship_offer', 'broken_promise')
      AND step_taken(status, suppressed_reason)
    GROUP BY loan_id, step
),
hardship AS (
    SELECT f.loan_id, s.borrower_id, s.oldest_unpaid_no AS installment_no, s.outstanding_total AS amount,
           s.oldest_unpaid_due AS due_date, s.dpd, NULL::DATE AS promised_date, 'hardship_offer' AS step
    FROM loan_flags AS f JOIN loan_state AS s USING (loan_id)
    LEFT JOIN taken AS t ON t.loan_id = f.loan_id AND t.step = 'hardship_offer'
    WHERE f.hardship_named_on BETWEEN $as_of::DATE - $hardship_pause_days::INTEGER AND $as_of::DATE
      AND (t.last_day IS NULL OR t.last_day < f.hardship_named_on)
),
paid_since_promise AS (
    SELECT f.loan_id, coalesce(sum(e.amount), 0) AS paid
    FROM loan_flags AS f
    LEFT JOIN payment_events AS e
      ON e.loan_id = f.loan_id
     AND e.occurred_at >= f.promised_at AND e.occurred_at <= $now
    WHERE f.promised_date IS NOT NULL
    GROUP BY f.loan_id
),
broken AS (
    SELECT f.loan_id, s.borrower_id, s.oldest_unpaid_no, s.overdue_amount, s.oldest_unpaid_due, s.dpd,
           f.promised_date, 'broken_promise'
    FROM loan_flags AS f
    JOIN loan_state AS s USING (loan_id)
    JOIN paid_since_promise AS p USING (loan_id)
    LEFT JOIN taken AS t ON t.loan_id = f.loan_id AND t.step = 'broken_promise'
    WHERE s.dpd > 0
      AND $as_of::DATE BETWEEN f.promised_date + 2 AND f.promised_date + 8
      AND p.paid < coalesce(f.promised_amount, 0.01)
      AND (t.last_day IS NULL OR t.last_day <= f.promised_date)
),
confirmed AS (
    SELECT e.loan_id, any_value(e.borrower_id), NULL::INTEGER, sum(e.amount), NULL::DATE, 0, NULL::DATE,
           'payment_confirmation'
    FROM payment_events AS e
    WHERE e.occurred_at > $now - INTERVAL 1 DAY AND e.occurred_at <= $now
      AND EXISTS (SELECT 1 FROM day_episodes AS d
                  WHERE d.loan_id = e.loan_id AND d.opened_on <= $as_of::DATE
                    AND (d.closed_on IS NULL OR d.closed_on >= $as_of::DATE - 1))
    GROUP BY e.loan_id
),
wanted AS (
    SELECT * FROM hardship UNION ALL SELECT * FROM broken UNION ALL SELECT * FROM confirmed
)
SELECT contact_key(w.borrower_id, w.loan_id, c.step, c.channel, $as_of::DATE),
       w.borrower_id, w.loan_id, w.installment_no, c.channel, 'follow_up', c.step, NULL,
       c.severity, w.amount, w.due_date, w.dpd, w.promised_date
FROM wanted AS w
JOIN cfg_steps AS c ON c.purpose = 'follow_up' AND c.step = w.step;
