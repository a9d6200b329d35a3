-- An approval ($arrangement_id), before review_decide.sql makes it active: the request's absorbed contractual installments
-- (arrangement_covered_installments) are removed, to be written again from the plan recomputed as of the approval
-- (reviews.approve, same transaction). Only while the request is pending. Returns nothing.
DELETE FROM arrangement_covered_installments AS t
WHERE t.arrangement_id = $arrangement_id
  AND EXISTS (SELECT 1 FROM arrangements AS a WHERE a.arrangement_id = $arrangement_id AND a.status = 'pending_review');
