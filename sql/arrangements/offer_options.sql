-- offer_options (temp table): the options each of the day's offer-bearing contacts carries
-- (arrangement_options from offer_subjects.sql + options.sql, those that may be offered), keyed by
-- the contact's idempotency_key (covered: the loans its arrears were computed on, recorded with the offer
-- by record_offer_loans.sql); a contact with none carries no offer. Read by the render
-- (offer_menu.sql, one query per batch) and recorded with the contact (record_offers.sql).
-- A contact of an experiment's arm that offers only some options (cfg_arm_offers, by the borrower's
-- day_arms.arm_key; issue 19) carries only those, numbered again from 1 in the same order.
CREATE OR REPLACE TEMP TABLE offer_options AS
WITH arm_of AS (
    SELECT d.idempotency_key, x.arm_key
    FROM decisions AS d JOIN day_arms AS x ON x.borrower_id = d.borrower_id
    WHERE x.arm_key IN (SELECT arm_key FROM cfg_arm_offers)
),
offered AS (
    SELECT o.*
    FROM arrangement_options AS o
    LEFT JOIN arm_of AS a ON a.idempotency_key = o.subject_key
    WHERE o.eligibility <> 'no'
      AND (a.arm_key IS NULL
           OR o.option_id IN (SELECT c.option_id FROM cfg_arm_offers AS c WHERE c.arm_key = a.arm_key))
)
SELECT subject_key AS idempotency_key,
       row_number() OVER (PARTITION BY subject_key ORDER BY option_no) AS option_no,
       option_id, ord, kind, months, label_en, label_zh, currency,
       arrears, dpd, payment, total, freeze_interest, needs_review, schedule, starts_on, ends_on,
       equal, last, covered
FROM offered;
