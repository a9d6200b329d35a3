-- The calls to assign today, highest priority first (then the key, so a replay gives the same
-- order): every call of decisions the policy let through (planned, channel 'call') with its team
-- (call_routes), the teams that take its overflow, in order (cfg_teams.overflow_to), its score,
-- reasons and required skills (call_priority), the borrower's language, the window the policy
-- computed (send_after .. send_before; a callback's already carries the hours asked for), the
-- point it goes to, and the dial headroom max_dials is cut from (assign.py, call by call):
--   max_per_call    [calls] max_dials_per_call;
--   borrower_left   the borrower's calls_per_7_days minus the dials already counted against it;
--   point_left      the same for the number (NULL without a point): a number shared by several
--                   borrowers carries one cap for all of them.
-- Dials count as decide.sql counts them (max(1, call_outcome events) per call in the last 8 local
-- days, planned or made), except that an assigned call of an earlier plan day the dialer may still
-- dial (dial_until after $now) counts what it was ALLOWED (its max_dials) when that is more.
-- assign.py then gives each call least(max_per_call, what the borrower and the number have left
-- after the calls placed before it today took their max_dials, less 1 for each call of the
-- borrower / number still to come), at least 1 (the policy let every one through counting 1 each).
-- Why here: the dialer may place at most the attempts the policy allows (issue 16).
WITH planned AS (
    SELECT d.*, r.team, p.priority_score, p.priority_reasons, p.required_skills, p.carried_days
    FROM decisions AS d
    JOIN call_routes AS r USING (idempotency_key)
    JOIN call_priority AS p USING (idempotency_key)
    WHERE d.status = 'planned' AND d.channel = 'call'
),
recent AS (
    SELECT a.borrower_id, a.contact_point,
           greatest(1, coalesce(x.dials, 0),
                    CASE WHEN ca.outcome = 'assigned' AND ca.dial_until > $now THEN ca.max_dials END) AS weight
    FROM contact_attempts AS a
    LEFT JOIN call_assignments AS ca ON ca.attempt_id = a.attempt_id
    LEFT JOIN (SELECT CASE WHEN json_valid(detail) THEN json_extract_string(detail, '$.attempt_id') END AS attempt_id,
                      count(*) AS dials
               FROM borrower_events
               WHERE kind = 'call_outcome' AND occurred_at >= $as_of::DATE - 9
               GROUP BY ALL) AS x ON x.attempt_id = a.attempt_id
    WHERE a.channel = 'call' AND a.planned_for_date BETWEEN $as_of::DATE - 7 AND $as_of::DATE
      AND (a.status IN ('planned', 'sent', 'delivered') OR a.sent_at IS NOT NULL)
      AND a.idempotency_key NOT IN (SELECT idempotency_key FROM planned)   -- a replayed day: not itself
      AND (a.borrower_id IN (SELECT borrower_id FROM planned)
           OR a.contact_point IN (SELECT contact_point FROM planned))
),
by_borrower AS (SELECT borrower_id, sum(weight) AS dials FROM recent GROUP BY borrower_id),
by_point AS (SELECT contact_point, sum(weight) AS dials FROM recent WHERE contact_point IS NOT NULL GROUP BY contact_point)
SELECT r.idempotency_key, substr(sha256(r.idempotency_key), 1, 20) AS attempt_id,
       r.borrower_id, r.loan_id, r.step, r.borrower_language AS language, r.team,
       coalesce(t.overflow_to, []) AS overflow_to,
       r.priority_score, r.priority_reasons, r.required_skills, r.carried_days,
       r.send_after, r.send_before, r.contact_point,
       s.max_dials_per_call::INTEGER AS max_per_call,
       (pol.calls_per_7_days - coalesce(b.dials, 0))::INTEGER AS borrower_left,
       CASE WHEN r.contact_point IS NOT NULL THEN (pol.calls_per_7_days - coalesce(pt.dials, 0))::INTEGER END AS point_left
FROM planned AS r
CROSS JOIN cfg_call_settings AS s
JOIN borrower_policy AS pol ON pol.borrower_id = r.borrower_id
LEFT JOIN cfg_teams AS t ON t.team = r.team
LEFT JOIN by_borrower AS b ON b.borrower_id = r.borrower_id
LEFT JOIN by_point AS pt ON pt.contact_point = r.contact_point
ORDER BY r.priority_score DESC, r.idempotency_key;
