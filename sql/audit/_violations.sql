-- The first $show violating rows of the rule just run, in a stable order, every column the rule
-- kept so an auditor can see why (no names, phone numbers or e-mail addresses: rules mask them).
SELECT * FROM audit_rows WHERE violation IS NOT NULL ORDER BY ALL LIMIT $show;
