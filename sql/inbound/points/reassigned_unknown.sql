-- How many answers of a reassigned-numbers file (_reassigned) are about a number no borrower holds
-- (nothing to record: the file usually covers more numbers than the book).
SELECT count(*) FROM _reassigned AS x
WHERE NOT EXISTS (SELECT 1 FROM recipients AS r WHERE r.channel = 'call' AND r.address = x.phone);
