-- Returns, for each answer of the batch (registered table _answers: seq, token, score, comment,
-- answered_at, source, external_id), in the order given: `known` (the same answer is already in
-- survey_answers: landing it again changes nothing) and `problem` (why it cannot land; NULL when it
-- can). The checks, first that applies: the token is no survey of ours; the survey was already
-- answered with something else (the first answer stands); the score is outside the invitation's
-- scale (csat 1-5, nps 0-10); it was answered before the survey was sent (its contact's sent_at;
-- unsent: before its planned local day); it was answered after the invitation expired, or it
-- reaches us ($now) more than $answer_days days after the expiry, whatever answered_at says (a
-- late file cannot date its answers back into the window). A score that is not a number never
-- reaches this file (the caller refuses it). No comment is ever part of a problem.
SELECT a.seq,
       (s.token IS NOT NULL AND s.score = a.score AND s.comment IS NOT DISTINCT FROM a.comment
        AND s.source = a.source AND s.external_id IS NOT DISTINCT FROM a.external_id) AS known,
       CASE WHEN i.token IS NULL THEN 'unknown token (no survey has it)'
            WHEN s.token IS NOT NULL
                 AND NOT (s.score = a.score AND s.comment IS NOT DISTINCT FROM a.comment
                          AND s.source = a.source AND s.external_id IS NOT DISTINCT FROM a.external_id)
                 THEN 'second answer to this survey (the first, by ' || s.source || ' at '
                      || strftime(s.answered_at, '%Y-%m-%dT%H:%M:%SZ') || ', stands)'
            WHEN s.token IS NOT NULL THEN NULL
            WHEN i.scale = 'csat' AND a.score NOT BETWEEN 1 AND 5
                 THEN 'score ' || a.score || ' is outside the csat scale (1-5)'
            WHEN i.scale = 'nps' AND a.score NOT BETWEEN 0 AND 10
                 THEN 'score ' || a.score || ' is outside the nps scale (0-10)'
            WHEN c.sent_at IS NOT NULL AND a.answered_at < c.sent_at
                 THEN 'answered before the survey was sent (' || strftime(c.sent_at, '%Y-%m-%dT%H:%M:%SZ') || ')'
            WHEN c.sent_at IS NULL AND timezone(coalesce(b.timezone, 'UTC'), a.answered_at)::DATE < i.planned_for_date
                 THEN 'answered before the survey was sent (planned for ' || strftime(i.planned_for_date, '%Y-%m-%d') || ')'
            WHEN a.answered_at > i.expires_at
                 THEN 'expired token (the survey closed at ' || strftime(i.expires_at, '%Y-%m-%dT%H:%M:%SZ') || ')'
            WHEN $now::TIMESTAMPTZ > i.expires_at + to_days($answer_days::INTEGER)
                 THEN 'expired token (the survey closed at ' || strftime(i.expires_at, '%Y-%m-%dT%H:%M:%SZ')
                      || '; received ' || strftime($now::TIMESTAMPTZ, '%Y-%m-%dT%H:%M:%SZ') || ', more than '
                      || $answer_days || ' days after)'
       END AS problem
FROM _answers AS a
LEFT JOIN survey_invitations AS i ON i.token = a.token
LEFT JOIN survey_answers AS s ON s.token = a.token
LEFT JOIN contact_attempts AS c ON c.attempt_id = i.attempt_id
LEFT JOIN borrowers AS b ON b.borrower_id = i.borrower_id
ORDER BY a.seq;
