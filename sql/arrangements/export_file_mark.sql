-- File every record not yet filed (and not refused) under the pass's day: file_day = $day. A record's
-- file_day never changes once set, so a record is in exactly one day's files. Returns rows changed.
UPDATE arrangement_exports
SET file_day = $day
WHERE file_day IS NULL AND status <> 'failed';
