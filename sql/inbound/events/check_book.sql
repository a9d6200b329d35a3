-- events_refused: the rows of the temp table events_batch the loan book refuses, with the reason:
-- an unknown borrower, an unknown loan, or a loan that belongs to another borrower (so a dispute
-- filed under one borrower can never pause someone else's loan), or a point_verified naming a contact
-- point that is not one of the borrower's (borrower_points: the book's phone and e-mail and the
-- imported points): verifying makes a wrong or reassigned number usable again for that borrower, so
-- it may only ever be their own number (a new one is added by import-contact-points). Returns nothing.
CREATE OR REPLACE TEMP TABLE events_refused AS
SELECT seq, reason
FROM (
    SELECT e.seq,
           CASE WHEN b.borrower_id IS NULL THEN 'borrower_id ''' || e.borrower_id || ''' is unknown'
                WHEN e.loan_id IS NOT NULL AND l.loan_id IS NULL THEN 'loan_id ''' || e.loan_id || ''' is unknown'
                WHEN e.loan_id IS NOT NULL AND l.borrower_id <> e.borrower_id
                    THEN 'loan_id ''' || e.loan_id || ''' belongs to another borrower, not ''' || e.borrower_id || ''''
                WHEN e.kind = 'point_verified'
                     AND NOT EXISTS (SELECT 1 FROM borrower_points AS p
                                     WHERE p.borrower_id = e.borrower_id AND p.point_id = e.contact_point)
                    THEN 'address is not a contact point of borrower ''' || e.borrower_id
                         || ''' (add it with import-contact-points first)'
           END AS reason
    FROM events_batch AS e
    LEFT JOIN borrowers AS b ON b.borrower_id = e.borrower_id
    LEFT JOIN loans AS l ON l.loan_id = e.loan_id
) AS checked
WHERE reason IS NOT NULL;
