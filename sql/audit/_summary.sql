-- The verdict of the rule just run: how many contacts it checked (rows of audit_rows) and how many
-- of them break it (rows with a violation). Returns one row: checked, violations.
SELECT count(*) AS checked, count(violation) AS violations FROM audit_rows;
