-- Contact-driven payments (the response model, loan_comms/simulation/response.py): each loan in
-- arrears whose borrower was contacted on local day $as_of (contact_intensity: contacts_today > 0)
-- pays what it owes with probability $contact_pay_base x curve_at($pay_curve, contacts_7d), drawn by
-- hash on (seed, loan, day), so the chance to pay after contact rises with the contacts of the last
-- 7 days up to the curve's peak, then falls. The payment lands 1 to $pay_within_days days later at
-- noon local time, source 'simulator', payment_id 'sim-contact-<loan>-<day>'.
-- Adds to the payment feed the payments drawn. Returns how many rows it added.
-- What it owes: installments due before $as_of less what is paid by the end of $as_of (the larger
-- of installments.amount_paid and the feed's payments so far: the day's plan applied the feed only
-- up to its own "now"), less every payment the feed already holds for the next 45 days (a kept
-- promise, a plan instalment, the synthetic book's own late payment, which is at most 40 days late,
-- yesterday's contact payment): a borrower who will pay anyway pays nothing more, so a loan is never
-- paid twice, and re-running a day adds nothing (its own row is pending, and the anti-join on
-- payment_id). In the synthetic book only 'never' borrowers past their stop date, and late payers
-- generated as contact-responsive (generate_book's responsive_share), owe after that.
INSERT INTO payment_feed (payment_id, loan_id, amount, paid_at, source)
SELECT payment_id, loan_id, amount, paid_at, 'simulator'
FROM (
WITH contacted AS (
    SELECT l.loan_id, b.timezone, c.contacts_7d,
           timezone(b.timezone, ($as_of::DATE + 1)::TIMESTAMP) AS day_end
    FROM contact_intensity($as_of::DATE) AS c
    JOIN loans AS l USING (borrower_id)
    JOIN borrowers AS b USING (borrower_id)
    WHERE c.contacts_today > 0
),
schedule AS (
    SELECT c.loan_id,
           sum(i.amount_due) FILTER (WHERE i.due_date < $as_of::DATE) AS due,
           sum(i.amount_paid) AS paid
    FROM contacted AS c JOIN installments AS i USING (loan_id)
    GROUP BY c.loan_id
),
feed AS (
    SELECT c.loan_id,
           coalesce(sum(f.amount) FILTER (WHERE f.paid_at < c.day_end), 0) AS paid,
           coalesce(sum(f.amount) FILTER (WHERE f.paid_at >= c.day_end
                                            AND f.paid_at < c.day_end + INTERVAL 45 DAY), 0) AS pending
    FROM contacted AS c LEFT JOIN payment_feed AS f USING (loan_id)
    GROUP BY c.loan_id
),
owing AS (
    SELECT c.loan_id, c.timezone, c.contacts_7d,
           coalesce(s.due, 0) - greatest(coalesce(s.paid, 0), f.paid) - f.pending AS owed,
           (hash(concat($seed::VARCHAR, ':', c.loan_id, ':', $as_of::VARCHAR, ':contact-pay')) % 100000) / 100000.0 AS r,
           (hash(concat($seed::VARCHAR, ':', c.loan_id, ':', $as_of::VARCHAR, ':contact-pay-days')) % $pay_within_days) + 1
               AS days_ahead
    FROM contacted AS c JOIN schedule AS s USING (loan_id) JOIN feed AS f USING (loan_id)
)
SELECT 'sim-contact-' || loan_id || '-' || strftime($as_of::DATE, '%Y-%m-%d') AS payment_id, loan_id,
       owed::DECIMAL(18, 2) AS amount,
       timezone(timezone, ($as_of::DATE + days_ahead::INTEGER) + TIME '12:00') AS paid_at
FROM owing
WHERE owed > 0 AND r < $contact_pay_base * curve_at($pay_curve, contacts_7d)
) AS drawn
WHERE NOT EXISTS (SELECT 1 FROM payment_feed AS f WHERE f.payment_id = drawn.payment_id);
