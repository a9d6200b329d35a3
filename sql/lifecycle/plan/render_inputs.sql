-- Planned text contacts of today's decisions that are not recorded yet, with everything a template
-- may show. Ordered so that one (step, channel, language) group arrives together.
SELECT d.idempotency_key,
       d.purpose, d.step, d.channel, b.language,
       b.full_name, coalesce(b.first_name, b.full_name) AS first_name,
       d.amount_due, l.currency, d.due_date, d.dpd AS days_past_due, l.product,
       d.loan_id, d.promised_date
FROM decisions AS d
JOIN borrowers AS b USING (borrower_id)
JOIN loans AS l USING (loan_id)
WHERE d.status = 'planned' AND list_contains($text_channels, d.channel)
  AND NOT EXISTS (SELECT 1 FROM contact_attempts AS a WHERE a.idempotency_key = d.idempotency_key)
ORDER BY d.step, d.channel, b.language, d.idempotency_key;
