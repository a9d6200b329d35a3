-- Writes the quarantined lines of this import to import_quarantine. Returns the number of new rows:
-- a line already quarantined from the same file with the same reason and values is not written again,
-- so re-importing a file adds nothing.
INSERT INTO import_quarantine (source_file, source_line, entity, record_id, reason, raw, quarantined_at)
SELECT $source_file, r.line, r.entity, r.record_id, r.reason, r.raw, $now
FROM import_resolved AS r
WHERE r.quarantined
  AND NOT EXISTS (
      SELECT 1 FROM import_quarantine AS q
      WHERE q.source_file = $source_file AND q.source_line = r.line
        AND q.reason = r.reason AND q.raw IS NOT DISTINCT FROM r.raw
  );
