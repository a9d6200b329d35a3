-- Returns (outcome, n) for the receipts in receipt_matches: delivered / failed (will move a sent
-- contact), progress (an intermediate status of a known contact: moves nothing), unchanged
-- (contact already final, not sent yet, or a losing duplicate), unknown (no contact has that id).
SELECT CASE WHEN matched_id IS NULL THEN 'unknown'
            WHEN status = 'progress' THEN 'progress'
            WHEN current_status = 'sent' AND is_winner THEN status
            ELSE 'unchanged' END AS outcome,
       count(*) AS n
FROM receipt_matches
GROUP BY 1;
