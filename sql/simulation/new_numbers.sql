-- Simulated new numbers: half the borrowers whose phone was found wrong or reassigned (a
-- wrong_number dial or a number_reassigned answer recorded on local day $as_of - 3) give the
-- lender a new mobile three days later, verified on the phone with an agent. Returns the columns
-- of `loan-comms import-contact-points` (borrower_id, kind, address, place, verified_at). The new
-- number is the old one with its last digit moved on by one (still a valid number of the place).
WITH lost AS (
    SELECT DISTINCT e.borrower_id, e.contact_point, b.timezone
    FROM borrower_events AS e JOIN borrowers AS b USING (borrower_id)
    WHERE (e.kind = 'number_reassigned'
           OR (e.kind = 'call_outcome' AND json_extract_string(e.detail, '$.outcome') = 'wrong_number'))
      AND timezone(b.timezone, e.occurred_at)::DATE = $as_of::DATE - 3
      AND (hash(concat($seed::VARCHAR, ':', e.borrower_id, ':newnumber')) % 2) = 0
)
SELECT DISTINCT l.borrower_id, 'phone' AS kind,
       left(p.address, length(p.address) - 1) || ((right(p.address, 1)::INTEGER + 1) % 10)::VARCHAR AS address,
       'mobile' AS place,
       strftime(timezone(l.timezone, $as_of::DATE + TIME '10:00'), '%Y-%m-%dT%H:%M:%S+00:00') AS verified_at
FROM lost AS l
JOIN borrower_points AS p ON p.borrower_id = l.borrower_id AND p.point_id = l.contact_point
ORDER BY l.borrower_id;
