-- Of the case ids $case_ids (listed by the manifests in partner $partner's folder), those whose export
-- is not recorded yet (handoffs.export_file IS NULL): a manifest listing one was left by a pass that
-- crashed between the manifest's rename and the record. Keyed by case id (loan_id '@' the hand-off
-- instant, as export_due builds it), never by file name. Returns case_id.
SELECT loan_id || '@' || strftime(handed_off_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS case_id
FROM handoffs
WHERE partner = $partner AND export_file IS NULL
  AND list_contains($case_ids, loan_id || '@' || strftime(handed_off_at, '%Y-%m-%dT%H:%M:%S.%fZ'))
ORDER BY case_id;
