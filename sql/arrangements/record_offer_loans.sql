-- The loans each offer recorded from one rendered batch (record_offers.sql) was computed on
-- (arrangement_offer_loans: the `covered` list of its options, the same for every option of a
-- contact), each once. A choice from the offer is recomputed on these loans only. Returns nothing.
INSERT INTO arrangement_offer_loans
WITH per_contact AS (
    SELECT idempotency_key, unnest(any_value(covered)) AS c FROM offer_options GROUP BY idempotency_key
)
SELECT DISTINCT r.plan_token, o.c.loan_id, o.c.arrears
FROM rendered_batch AS r
JOIN per_contact AS o USING (idempotency_key)
WHERE r.error IS NULL AND r.plan_token IS NOT NULL
  AND EXISTS (SELECT 1 FROM arrangement_offers AS x WHERE x.token = r.plan_token)
  AND NOT EXISTS (SELECT 1 FROM arrangement_offer_loans AS y WHERE y.token = r.plan_token AND y.loan_id = o.c.loan_id);
