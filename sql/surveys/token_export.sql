-- Returns what the survey page needs to show and judge each survey that can still be answered at $now:
-- token, scale ('csat' | 'nps'), language ('zh-CN' | 'en'), expires_at, and answered (an answer
-- already landed). Only surveys whose contact went (sent or delivered): one the policy held back
-- (suppressed) or that failed never reached anyone, and its token must not open a page; a planned
-- one is exported by the dispatch pass that sends it (tasks/dispatch.py). No borrower, name,
-- number or comment: the export is safe to copy to the web host.
SELECT i.token, i.scale, i.language, i.expires_at,
       EXISTS (SELECT 1 FROM survey_answers AS a WHERE a.token = i.token) AS answered
FROM survey_invitations AS i
JOIN contact_attempts AS c ON c.attempt_id = i.attempt_id
WHERE i.expires_at >= $now
  AND c.status IN ('sent', 'delivered') AND c.sent_at IS NOT NULL
ORDER BY i.token;
