-- survey_fatigue: at most one survey per borrower per [surveys].fatigue_days local days (cfg_surveys).
-- Forbids a survey when another survey to the same borrower that went or may still go (planned,
-- sent, delivered, or handed to a provider) is planned fewer than fatigue_days days from it, either
-- way; and, among surveys judged together for one borrower on one day (gate_subjects), all but the
-- first by idempotency key (the planner already proposes one a day: sql/surveys/candidates.sql).
-- A survey the policy suppressed, or one that failed to render, does not count: it never reached them.
-- Why: issue 14 survey fatigue; asking too often is itself a contact burden. Audit: survey_fatigue.
SELECT g.idempotency_key, 'survey_fatigue' AS reason
FROM gate_subjects AS g
CROSS JOIN cfg_surveys AS s
WHERE g.purpose = 'survey'
  AND (EXISTS (SELECT 1 FROM contact_attempts AS a
               WHERE a.borrower_id = g.borrower_id AND a.purpose = 'survey'
                 AND a.idempotency_key <> g.idempotency_key
                 AND (a.status IN ('planned', 'sent', 'delivered') OR a.sent_at IS NOT NULL)
                 AND abs(date_diff('day', a.planned_for_date, g.planned_for_date)) < s.fatigue_days)
       OR EXISTS (SELECT 1 FROM gate_subjects AS o
                  WHERE o.borrower_id = g.borrower_id AND o.purpose = 'survey'
                    AND o.planned_for_date = g.planned_for_date AND o.idempotency_key < g.idempotency_key));
