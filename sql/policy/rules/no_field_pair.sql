-- no_field_pair: THE definition of "no pair of field agents could ever make this home visit", for the
-- visit (channel 'visit') and for the follow-up that announces it (step 'visit_notice'): no city on
-- file for the borrower (borrowers.city empty), or not two field agents of the roster (cfg_field_agents:
-- skill 'field') covering the city (their cities list it, case-insensitively, or "*") with at least
-- one of them speaking the borrower's language (borrowers.language). Only when visits go to pairs
-- (cfg_visits.field_pairs: [calls] roster names a roster); without a roster nothing changes.
-- Standing (step_taken): the notice counts as given and is not proposed again, the visit counts as a
-- step that cannot be made and the ladder moves on. Ahead of visit_unannounced and
-- awaiting_visit_notice in GATE_RULES, so a visit whose notice was withheld for this reason is
-- suppressed with it too, not left awaiting a notice that will never come. The visit plan
-- (loan_comms/visits/plan.py, sql/visits/plan_inputs.sql) reads this verdict, it has no copy of it;
-- whether a pair has room today (field_capacity) is the plan's.
-- Why: a notice announcing a visit nobody will make misleads and intimidates the borrower (FCA CONC
-- 7.9.12-13, 2.5; CFPB Reg F 1006.18: no false representation of an action not intended); China's
-- guidance expects two collectors at a door. Audit: visit_notice_no_pair (and visit_pair for a visit
-- made without an assigned pair).
SELECT g.idempotency_key, 'no_field_pair' AS reason
FROM gate_subjects AS g
JOIN borrowers AS b USING (borrower_id)
CROSS JOIN cfg_visits AS v
WHERE v.field_pairs
  AND (g.channel = 'visit' OR g.step = 'visit_notice')
  AND (nullif(trim(b.city), '') IS NULL
       OR NOT coalesce((SELECT count(*) >= 2 AND bool_or(list_contains(f.languages, b.language))
                        FROM cfg_field_agents AS f
                        WHERE list_contains(f.cities, '*')
                           OR list_contains(list_transform(f.cities, lambda c: lower(c)), lower(trim(b.city)))),
                       false));
