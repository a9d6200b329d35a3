-- stats_read_cure: the cure comparison for the report and the summary, band 'all' first, then the
-- dpd bands in order; per (band, grp): loans, complete_windows, cured, on_track, cure_rate,
-- resolved_rate, standardized. Reads arrangement_stats_cure (see stats_cure.sql for what each means).
SELECT band, grp, loans, complete_windows, cured, on_track, cure_rate, resolved_rate, standardized
FROM arrangement_stats_cure
ORDER BY ord, grp;
