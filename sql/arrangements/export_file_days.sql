-- Every day that has export files, with how many records its files must hold: file_day, records.
-- The pass rewrites a day's files when they are missing or hold another count (a crash mid-write).
SELECT file_day, count(*)::INTEGER AS records
FROM arrangement_exports
WHERE file_day IS NOT NULL
GROUP BY file_day
ORDER BY file_day;
