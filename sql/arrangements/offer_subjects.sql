-- arrangement_subjects (temp table) for the day's offers: every planned text contact of a step that
-- carries an offer ($offer_steps: config OFFER_STEPS) in temp table decisions, keyed by its
-- idempotency_key, as of $as_of / $now, a plan starting on $as_of, its loans as [arrangements] scope says. Empty when $enabled is false.
CREATE OR REPLACE TEMP TABLE arrangement_subjects AS
SELECT d.idempotency_key AS subject_key, d.borrower_id, d.loan_id, $as_of::DATE AS as_of,
       $now::TIMESTAMPTZ AS at, $as_of::DATE AS starts_on, NULL::VARCHAR[] AS loan_ids
FROM decisions AS d
WHERE $enabled AND d.status = 'planned' AND list_contains($offer_steps, d.step)
  AND list_contains($text_channels, d.channel);
