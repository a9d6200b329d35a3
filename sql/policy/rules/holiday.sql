-- holiday: no collection contact on a public holiday of any profile that applies to the borrower
-- (the jurisdiction's and the phone country's, borrower_policy.profiles: their holiday calendars
-- and policy.holidays.extra_dates, in cfg_holidays).
-- Why: design note: a public holiday is an inconvenient time for a collection contact (the
-- lender's practice in every profile; Reg F 1006.6(b)(1) on inconvenient times). Audit: holidays.
SELECT g.idempotency_key, 'holiday' AS reason
FROM gate_subjects AS g
WHERE g.is_collection
  AND EXISTS (SELECT 1 FROM cfg_holidays AS h WHERE list_contains(g.profiles, h.profile) AND h.day = g.planned_for_date);
