-- What this import found: rows read, rows loaded, and quarantined lines by reason code
-- (one row per code; code NULL for the totals row).
SELECT NULL AS code, (SELECT count(*) FROM import_lines) AS rows_read,
       (SELECT count(*) FROM import_lines) - (SELECT count(*) FROM import_quarantined) AS rows_loaded
UNION ALL
SELECT code, count(*), 0
FROM import_quarantined
GROUP BY code
ORDER BY code NULLS FIRST;
