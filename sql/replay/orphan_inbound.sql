-- How many recorded inbound rows answer a contact of the replayed days that the replay did not make
-- (recorded as made, in replay_recorded_attempts, but absent or suppressed in the replay): events
-- naming the contact (call and visit outcomes, provider reports: detail.attempt_id), provider
-- receipts and survey answers to its invitation. They stay in the scratch book (they were received)
-- but answer nothing. One row: events, receipts, answers.
WITH gone AS (
    SELECT r.attempt_id FROM replay_recorded_attempts AS r
    WHERE r.status <> 'suppressed'
      AND NOT EXISTS (SELECT 1 FROM contact_attempts AS a WHERE a.attempt_id = r.attempt_id AND a.status <> 'suppressed')
)
SELECT
    (SELECT count(*) FROM borrower_events AS e
     WHERE json_valid(e.detail) AND json_extract_string(e.detail, '$.attempt_id') IN (SELECT attempt_id FROM gone)) AS events,
    (SELECT count(*) FROM provider_receipts AS p WHERE p.attempt_id IN (SELECT attempt_id FROM gone)) AS receipts,
    (SELECT count(*) FROM survey_answers AS s
     JOIN replay_recorded_invitations AS i ON i.token = s.token
     WHERE i.attempt_id IN (SELECT attempt_id FROM gone)
       AND NOT EXISTS (SELECT 1 FROM survey_invitations AS n WHERE n.token = s.token)) AS answers;
