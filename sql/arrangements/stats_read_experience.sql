-- stats_read_experience: complaints and satisfaction per group ('on_plan', 'arrears_no_plan') for
-- the report and the summary, every column of arrangement_stats_experience (stats_experience.sql).
SELECT grp, borrowers, complainants, complaints, complaints_per_100, csat_sent, csat_answers, csat_mean,
       nps_sent, nps_answers, nps
FROM arrangement_stats_experience
ORDER BY CASE grp WHEN 'on_plan' THEN 1 ELSE 2 END;
