-- survey_complaint: no survey to a borrower with an open complaint (complaint, not
-- complaint_resolved since), on any channel. paused_complaint holds only collection calls and visits;
-- asking someone who complained how we did, while it is handled, is the contact they complained of.
-- Why: issue 14 (surveys never to a borrower with an open complaint); FCA DISP 1.3. Audit: survey_restrictions.
SELECT g.idempotency_key, 'survey_complaint' AS reason
FROM gate_subjects AS g
WHERE g.purpose = 'survey' AND g.complaint_open;
