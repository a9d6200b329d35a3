-- Returns what the survey page needs to show and judge each survey that can still be answered at $now:
-- token, scale ('csat' | 'nps'), language ('zh-CN' | 'en'), expires_at, and answered (an answer
-- already landed). No borrower, name, number or comment: the export is safe to copy to the web host.
SELECT i.token, i.scale, i.language, i.expires_at,
       EXISTS (SELECT 1 FROM survey_answers AS a WHERE a.token = i.token) AS answered
FROM survey_invitations AS i
WHERE i.expires_at >= $now
ORDER BY i.token;
