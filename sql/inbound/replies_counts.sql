-- Returns (what, n) for reply_matches: unknown_sender, duplicate (already ingested), reply (new
-- replies to record) and one row per classified kind among the new ones.
SELECT 'unknown_sender' AS what, count(*) AS n FROM reply_matches WHERE borrower_id IS NULL
UNION ALL
SELECT 'duplicate', count(*) FROM reply_matches WHERE borrower_id IS NOT NULL AND already
UNION ALL
SELECT 'reply', count(*) FROM reply_matches WHERE borrower_id IS NOT NULL AND NOT already
UNION ALL
SELECT kind, count(*) FROM reply_matches
WHERE borrower_id IS NOT NULL AND NOT already AND kind IS NOT NULL
GROUP BY kind;
