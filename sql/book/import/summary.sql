-- What this import found: rows read, rows loaded, and quarantined lines by reason code
-- (one row per code; code NULL for the totals row).
SELECT NULL AS code, count(*) AS rows_read, count(*) FILTER (WHERE NOT quarantined) AS rows_loaded
FROM import_resolved
UNION ALL
SELECT code, count(*), 0
FROM import_resolved WHERE quarantined
GROUP BY code
ORDER BY code NULLS FIRST;
