-- The case files of partner $partner whose export is recorded (handoffs.export_file): a manifest in
-- the partner's folder not among them was left by a run that crashed before recording it.
SELECT DISTINCT export_file FROM handoffs WHERE partner = $partner AND export_file IS NOT NULL;
