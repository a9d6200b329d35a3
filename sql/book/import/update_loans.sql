-- Updates loans already in the database whose exported terms changed. Returns the number updated.
-- (A loan never changes borrower here: problem_lines.sql quarantines that as loan_owner_changed.)
UPDATE loans AS l
SET product = g.product, principal = g.principal, currency = g.currency, opened_on = g.opened_on
FROM import_good_loans AS g
WHERE l.loan_id = g.loan_id
  AND (l.product IS DISTINCT FROM g.product OR l.principal IS DISTINCT FROM g.principal
       OR l.currency IS DISTINCT FROM g.currency OR l.opened_on IS DISTINCT FROM g.opened_on);
