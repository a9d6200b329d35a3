-- The day's surveys (survey_candidates) added to candidates: purpose 'survey', step = the programme's
-- template, severity = [surveys].severity (cfg_steps), judged by the gate and the caps like every
-- contact. Returns nothing.
INSERT INTO candidates
SELECT c.idempotency_key, c.borrower_id, c.loan_id, NULL, c.channel, 'survey', c.step, NULL,
       st.severity, NULL, NULL, c.dpd, NULL
FROM survey_candidates AS c
JOIN cfg_steps AS st ON st.purpose = 'survey' AND st.step = c.step AND st.channel = c.channel;
