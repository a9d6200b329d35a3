-- Records a 'point_verified' event for each row of an import-contact-points file (_points) that says
-- the borrower confirmed the point (verified_at set): contact_point = the point, occurred_at = when
-- it was verified, external_id 'verified:<borrower>:<point>:<instant>' (a re-imported file records
-- nothing new). A verification later than a wrong_number / number_reassigned mark makes the point
-- usable again for that borrower (point_routes.sql): a newly verified number. Works for the borrower
-- row's own phone and e-mail too. Returns nothing.
INSERT INTO borrower_events (borrower_id, kind, occurred_at, channel, source, external_id, recorded_at, contact_point, scope)
SELECT DISTINCT p.borrower_id, 'point_verified', p.verified_at, NULL, 'import',
       'verified:' || p.borrower_id || ':' || point_id(p.kind, p.address) || ':' || strftime(p.verified_at, '%Y-%m-%dT%H:%M:%S'),
       $now, point_id(p.kind, p.address), 'borrower'
FROM _points AS p
WHERE p.verified_at IS NOT NULL
  AND EXISTS (SELECT 1 FROM borrowers AS b WHERE b.borrower_id = p.borrower_id)
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                  WHERE e.external_id = 'verified:' || p.borrower_id || ':' || point_id(p.kind, p.address) || ':'
                                        || strftime(p.verified_at, '%Y-%m-%dT%H:%M:%S'));
