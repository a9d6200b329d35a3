-- Replies in reply_matches from a phone number no borrower has (to be quarantined). Returns
-- (source_file, source_line, external_id, raw) in file and line order.
SELECT source_file, source_line, external_id, raw FROM reply_matches
WHERE borrower_id IS NULL ORDER BY source_file, source_line;
