-- Plan payments: what simulated borrowers on a plan pay, added to the payment feed ahead of time
-- (like schedule_kept_promises.sql; the daily run ingests each payment on its day).
-- For every plan accepted by $now (arrangements.status 'active', decided_at <= $now) a hash draw on
-- ($seed, arrangement) makes the borrower a keeper (70%), who pays every plan installment, or a
-- breaker, who pays the first k (k drawn in 0 .. installments - 1) and stops. Each payment is the
-- installment's amount, at noon local time on its due date or one or two days before (drawn), never
-- before the decision. It is spread over the plan's covered loans, oldest arrears first: the plan's
-- cumulative payments fill each loan's outstanding installments due by the plan's end in turn (the
-- last loan takes any excess; a plan whose loans owe nothing pays its first loan).
-- Replay-safe: payment_id 'sim-plan-<arrangement_id>-<installment_no>-<loan_id>', and an installment
-- with any payment already in the feed is never scheduled again (the split is decided once).
-- Returns how many rows it added.
INSERT INTO payment_feed (payment_id, loan_id, amount, paid_at, source)
SELECT payment_id, loan_id, amount, paid_at, 'simulator'
FROM (
WITH plans AS (
    SELECT a.arrangement_id, a.loan_id AS first_loan, a.decided_at, a.ends_on, b.timezone,
           (hash(concat($seed::VARCHAR, ':', a.arrangement_id, ':keeper')) % 100000) / 100000.0 < 0.7 AS keeper,
           hash(concat($seed::VARCHAR, ':', a.arrangement_id, ':stop'))
               % greatest((SELECT count(*) FROM arrangement_installments AS i
                           WHERE i.arrangement_id = a.arrangement_id), 1) AS pays_first
    FROM arrangements AS a JOIN borrowers AS b ON b.borrower_id = a.borrower_id
    WHERE a.status = 'active' AND a.decided_at IS NOT NULL AND a.decided_at <= $now::TIMESTAMPTZ
),
schedule AS (
    SELECT p.*, i.installment_no, i.due_date, i.amount,
           sum(i.amount) OVER (PARTITION BY i.arrangement_id ORDER BY i.installment_no) AS upto,
           sum(i.amount) OVER (PARTITION BY i.arrangement_id ORDER BY i.installment_no) - i.amount AS before,
           hash(concat($seed::VARCHAR, ':', i.arrangement_id, ':', i.installment_no::VARCHAR, ':early')) % 3 AS early
    FROM plans AS p JOIN arrangement_installments AS i USING (arrangement_id)
),
owed AS (
    SELECT c.arrangement_id, c.loan_id, sum(i.amount_due - i.amount_paid) AS owed, min(i.due_date) AS oldest
    FROM plans AS p
    JOIN arrangement_loans AS c USING (arrangement_id)
    JOIN installments AS i ON i.loan_id = c.loan_id
    WHERE i.amount_paid < i.amount_due AND i.due_date <= p.ends_on
    GROUP BY c.arrangement_id, c.loan_id
    UNION ALL
    SELECT p.arrangement_id, p.first_loan, 0, NULL
    FROM plans AS p
    WHERE NOT EXISTS (SELECT 1 FROM arrangement_loans AS c JOIN installments AS i ON i.loan_id = c.loan_id
                      WHERE c.arrangement_id = p.arrangement_id AND i.amount_paid < i.amount_due
                        AND i.due_date <= p.ends_on)
),
filled AS (
    SELECT o.*,
           coalesce(sum(o.owed) OVER (PARTITION BY o.arrangement_id ORDER BY o.oldest NULLS LAST, o.loan_id
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS owed_before,
           row_number() OVER (PARTITION BY o.arrangement_id ORDER BY o.oldest DESC NULLS FIRST, o.loan_id DESC) = 1
               AS last_loan
    FROM owed AS o
),
split AS (
    SELECT s.arrangement_id, s.installment_no, s.due_date, s.timezone, s.decided_at, s.early, f.loan_id,
           CASE WHEN f.last_loan THEN greatest(s.upto - f.owed_before, 0)
                ELSE least(greatest(s.upto - f.owed_before, 0), f.owed) END
         - CASE WHEN f.last_loan THEN greatest(s.before - f.owed_before, 0)
                ELSE least(greatest(s.before - f.owed_before, 0), f.owed) END AS amount
    FROM schedule AS s JOIN filled AS f USING (arrangement_id)
    WHERE s.keeper OR s.installment_no <= s.pays_first
)
SELECT 'sim-plan-' || arrangement_id || '-' || installment_no::VARCHAR || '-' || loan_id AS payment_id, loan_id,
       amount::DECIMAL(18, 2) AS amount,
       greatest(timezone(timezone, (due_date - early::INTEGER) + TIME '12:00'), decided_at + INTERVAL 1 HOUR) AS paid_at,
       arrangement_id, installment_no
FROM split
WHERE amount > 0
) AS due
WHERE NOT EXISTS (SELECT 1 FROM payment_feed AS f
                  WHERE starts_with(f.payment_id, 'sim-plan-' || due.arrangement_id || '-' || due.installment_no::VARCHAR || '-'));
