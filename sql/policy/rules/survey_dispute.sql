-- survey_dispute: no survey to a borrower with ANY loan disputed (loan_flags.dispute_open, on every
-- loan a dispute reaches): paused_dispute holds only collection contacts on the disputed loan, a
-- survey is about the person's experience, not one loan.
-- Why: issue 14 (surveys never to a borrower in dispute). Audit: survey_restrictions.
SELECT g.idempotency_key, 'survey_dispute' AS reason
FROM gate_subjects AS g
WHERE g.purpose = 'survey'
  AND EXISTS (SELECT 1 FROM loan_flags AS f JOIN loans AS l USING (loan_id)
              WHERE l.borrower_id = g.borrower_id AND f.dispute_open);
