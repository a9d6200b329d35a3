-- Simulated field-team reports for the home visits made on local day $as_of, one row per visit
-- (the export of `loan-comms ingest-visit-outcomes`): 4% cancelled at the door's step (the borrower
-- asked to rearrange, weather, safety: a reason, no evidence), then of the rest 40% met, 35% not at
-- home, 5% refused to talk, 15% a promise to pay (5-10 days ahead), 5% hardship told at the door.
-- The collectors are the pair the visit plan assigned (visit_assignments.agent_ids; two of a
-- made-up field team when no plan assigned one: a book run without a roster). The report is
-- written half an hour into the visit's slot (its window: dispatch narrowed it to the slot), with
-- an evidence reference to the photos in the lender's store and, now and then, a short note.
-- Returns attempt_id, outcome, collectors, occurred_at, promised_date, reason, notes, evidence_ref.
-- $answers false (the demo, whose reports are filed after its days have run): what the borrower
-- would have said at the door (a promise, hardship) is reported as 'met', since an answer filed
-- after the fact would rewrite days already run.
WITH visits AS (
    SELECT a.attempt_id, a.sent_at, a.send_before, va.agent_ids,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':visit')) % 100000) / 100000.0 AS r,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':cancel')) % 100000) / 100000.0 AS c,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':team')) % 20) AS team,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':days')) % 6) + 5 AS days_ahead
    FROM contact_attempts AS a
    LEFT JOIN visit_assignments AS va ON va.attempt_id = a.attempt_id AND va.outcome = 'assigned'
    WHERE a.planned_for_date = $as_of::DATE AND a.channel = 'visit' AND a.sent_at IS NOT NULL
),
told AS (
    SELECT *,
           CASE WHEN c < 0.04 THEN 'cancelled'
                WHEN r < 0.40 THEN 'met' WHEN r < 0.75 THEN 'not_home' WHEN r < 0.80 THEN 'refused'
                WHEN NOT $answers THEN 'met'
                WHEN r < 0.95 THEN 'promise_to_pay' ELSE 'hardship' END AS outcome
    FROM visits
)
SELECT attempt_id, outcome,
       coalesce(array_to_string(agent_ids, ','),
                'FC' || lpad((2 * team + 1)::VARCHAR, 2, '0') || ',FC' || lpad((2 * team + 2)::VARCHAR, 2, '0'))
           AS collectors,
       strftime(least(sent_at + INTERVAL 30 MINUTE, send_before - INTERVAL 1 MINUTE), '%Y-%m-%dT%H:%M:%S+00:00')
           AS occurred_at,
       CASE WHEN outcome = 'promise_to_pay' THEN strftime($as_of::DATE + days_ahead::INTEGER, '%Y-%m-%d') END
           AS promised_date,
       CASE WHEN outcome = 'cancelled' THEN ['borrower_rearranged', 'weather', 'safety'][1 + (team % 3)::INTEGER] END
           AS reason,
       CASE WHEN outcome = 'not_home' AND team < 5 THEN 'No answer at the door; card left.' END AS notes,
       CASE WHEN outcome <> 'cancelled' THEN 'evidence://field/' || attempt_id || '/photos' END AS evidence_ref
FROM told
ORDER BY attempt_id;
