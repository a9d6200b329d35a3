-- Records the cases of one case file ($case_ids, as its manifest lists them) as exported in $file at
-- $exported_at, once: a case already recorded keeps its first file. Returns the number of rows written.
UPDATE handoffs SET exported_at = $exported_at, export_file = $file
WHERE partner = $partner AND export_file IS NULL
  AND list_contains($case_ids, loan_id || '@' || strftime(handed_off_at, '%Y-%m-%dT%H:%M:%S.%fZ'));
