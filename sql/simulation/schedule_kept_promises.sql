-- Kept promises: 60% of the promises made on local day $as_of are paid, the overdue amount,
-- at noon local time on the promised date.
-- Adds to the payment feed the payments of promises (made on $as_of) that will be kept.
-- Returns how many rows it added.
INSERT INTO payment_feed (payment_id, loan_id, amount, paid_at, source)
SELECT payment_id, loan_id, amount, paid_at, 'simulator'
FROM (
WITH promises AS (
    SELECT e.event_id, e.loan_id, b.timezone,
           TRY_CAST(json_extract_string(e.detail, '$.promised_date') AS DATE) AS promised_date,
           (hash(concat($seed::VARCHAR, ':', e.event_id::VARCHAR, ':kept')) % 100000) / 100000.0 AS r
    FROM borrower_events AS e JOIN borrowers AS b USING (borrower_id)
    WHERE (e.kind = 'promise_to_pay'
           OR (e.kind = 'call_outcome' AND json_extract_string(e.detail, '$.outcome') = 'promise_to_pay'))
      AND timezone(b.timezone, e.occurred_at)::DATE = $as_of::DATE
),
owed AS (
    SELECT i.loan_id, p.event_id, sum(i.amount_due - i.amount_paid) AS amount
    FROM promises AS p JOIN installments AS i USING (loan_id)
    WHERE i.due_date < p.promised_date AND i.amount_paid < i.amount_due
    GROUP BY i.loan_id, p.event_id
)
SELECT 'sim-promise-' || p.event_id::VARCHAR AS payment_id, p.loan_id, o.amount,
       timezone(p.timezone, p.promised_date + TIME '12:00') AS paid_at
FROM promises AS p JOIN owed AS o USING (event_id)
WHERE p.r < 0.6 AND p.promised_date IS NOT NULL AND o.amount > 0
) AS kept
WHERE NOT EXISTS (SELECT 1 FROM payment_feed AS f WHERE f.payment_id = kept.payment_id);
