-- Stores the checked answers of a batch (registered table _answers_ok: token, score, comment,
-- answered_at, source, external_id) in survey_answers, stamped received_at = $now; a token that
-- already has an answer is never written again (the first answer stands). Returns how many rows it added.
INSERT INTO survey_answers (token, score, comment, answered_at, source, external_id, received_at)
SELECT a.token, a.score, a.comment, a.answered_at, a.source, a.external_id, $now
FROM _answers_ok AS a
WHERE NOT EXISTS (SELECT 1 FROM survey_answers AS s WHERE s.token = a.token);
