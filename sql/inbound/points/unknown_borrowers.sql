-- The rows of an import-contact-points file (registered table _points) whose borrower_id is not in
-- the book: (seq). They are quarantined; the others are recorded. Why: a point is only ever a
-- borrower's own (third_parties), never attached to a borrower we do not know.
SELECT p.seq FROM _points AS p
WHERE NOT EXISTS (SELECT 1 FROM borrowers AS b WHERE b.borrower_id = p.borrower_id)
ORDER BY p.seq;
