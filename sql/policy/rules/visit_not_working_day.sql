-- visit_not_working_day: a home visit only on a working day: a weekday listed in
-- [visits].working_days (cfg_visits.working_days, ISO numbers, mon = 1) that is not a holiday of
-- the borrower's profile (cfg_holidays), whatever the step's collection flag says.
-- Why: FCA CONC 7.9 (no contact at unreasonable times; visits prepared and announced) and the
-- lender's practice: field visits in working hours of working days. Audit: visit_working_days.
SELECT g.idempotency_key, 'visit_not_working_day' AS reason
FROM gate_subjects AS g, cfg_visits AS v
WHERE g.channel = 'visit'
  AND (NOT list_contains(v.working_days, isodow(g.planned_for_date))
       OR EXISTS (SELECT 1 FROM cfg_holidays AS h WHERE h.profile = g.profile AND h.day = g.planned_for_date));
