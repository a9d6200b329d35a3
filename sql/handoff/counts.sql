-- Hand-off counts for reports and artifacts (no ids): cases handed off, of them exported, waiting
-- for export and recalled, per partner.
SELECT partner, count(*) AS handed_off,
       count(*) FILTER (WHERE export_file IS NOT NULL) AS exported,
       count(*) FILTER (WHERE export_file IS NULL AND recalled_at IS NULL) AS waiting,
       count(*) FILTER (WHERE recalled_at IS NOT NULL) AS recalled
FROM handoffs
GROUP BY partner
ORDER BY partner;
