-- How many borrowers and loans the database already holds (the generator only writes into an empty book).
SELECT (SELECT count(*) FROM borrowers) AS borrowers, (SELECT count(*) FROM loans) AS loans;
