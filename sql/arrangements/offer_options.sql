-- offer_options (temp table): the options each of the day's offer-bearing contacts carries
-- (arrangement_options from offer_subjects.sql + options.sql, those that may be offered), keyed by
-- the contact's idempotency_key (covered: the loans its arrears were computed on, recorded with the offer
-- by record_offer_loans.sql); a contact with none carries no offer. Read by the render
-- (offer_menu.sql, one query per batch) and recorded with the contact (record_offers.sql).
CREATE OR REPLACE TEMP TABLE offer_options AS
SELECT subject_key AS idempotency_key, option_no, option_id, ord, kind, months, label_en, label_zh, currency,
       arrears, dpd, payment, total, freeze_interest, needs_review, schedule, starts_on, ends_on,
       equal, last, covered
FROM arrangement_options
WHERE eligibility <> 'no';
