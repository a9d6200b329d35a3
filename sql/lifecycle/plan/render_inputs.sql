-- Planned text contacts of today's decisions that are not recorded yet, with every template variable
-- SQL can give, typed (planner.template_context is the reference for each): the links, the masked
-- loan number and days past due are computed here, so rendering makes no per-contact values of its
-- own; a survey's token and an offer's data are added at render (they need a key). Ordered so that
-- one (template, channel, language) group arrives together (template_kind: the step, or an experiment
-- arm's wording variant of it, sql/experiments/tag_decisions.sql).
SELECT d.idempotency_key,
       d.purpose, d.step, coalesce(d.template_kind, d.step) AS template_kind, d.channel, b.language,
       b.full_name, coalesce(b.first_name, b.full_name) AS first_name,
       d.amount_due, l.currency, d.due_date, coalesce(d.dpd, 0)::INTEGER AS days_past_due, l.product,
       d.loan_id, d.promised_date,
       $pay_link_base || d.loan_id AS pay_link,
       $survey_link_base || d.loan_id AS survey_link,   -- a survey's own token replaces the loan at render
       '****' || right(d.loan_id, 4) AS loan_id_masked   -- masking.mask_loan_id
FROM decisions AS d
JOIN borrowers AS b USING (borrower_id)
JOIN loans AS l USING (loan_id)
WHERE d.status = 'planned' AND list_contains($text_channels, d.channel)
  AND NOT EXISTS (SELECT 1 FROM contact_attempts AS a WHERE a.idempotency_key = d.idempotency_key)
ORDER BY template_kind, d.channel, b.language, d.idempotency_key;
