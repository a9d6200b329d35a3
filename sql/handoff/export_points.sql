-- Every contact point of each case's borrower (handoff_export_due): the borrower row's own phone and
-- e-mail and the points added since (borrower_contact_points view borrower_points), with kind, place
-- and the point id the contact history names. Personal data: only for the case file.
SELECT d.case_id, p.kind, p.address, p.point_id, p.place, p.is_primary, p.added_at
FROM handoff_export_due AS d
JOIN borrower_points AS p USING (borrower_id)
ORDER BY d.case_id, p.kind, NOT p.is_primary, p.address;
