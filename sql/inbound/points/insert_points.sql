-- Records the known borrowers' rows of an import-contact-points file (_points) in
-- borrower_contact_points; a point the borrower already has keeps its first row (place, added_at):
-- re-importing a file changes nothing. Returns nothing.
INSERT INTO borrower_contact_points (borrower_id, kind, address, place, source, added_at)
SELECT borrower_id, kind, address, arg_min(place, seq), 'import', arg_min(added_at, seq)
FROM _points AS p
WHERE EXISTS (SELECT 1 FROM borrowers AS b WHERE b.borrower_id = p.borrower_id)
  AND NOT EXISTS (SELECT 1 FROM borrower_contact_points AS c
                  WHERE c.borrower_id = p.borrower_id AND c.kind = p.kind AND c.address = p.address)
GROUP BY borrower_id, kind, address;
