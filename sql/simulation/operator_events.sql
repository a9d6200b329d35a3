-- Simulated requests an agent records on local day $as_of (the operator event file's columns).
-- Rates are per contact made that day ("collection" here: a ladder step), drawn from one hash per contact, so a seed gives the same
-- history every time. Complaints and cease-contact requests rise with contact intensity: their rates
-- below are at one contact in the borrower's last 7 local days and are multiplied by the response
-- model's curve_at($complaint_curve, contacts_7d) or curve_at($opt_out_curve, contacts_7d)
-- (loan_comms/simulation/response.py; contact_intensity in sql/schema/005_macros.sql):
--   cease_contact            0.2% of collection contacts (x the opt-out curve)
--   inbound_call             0.4% of SMS: the borrower calls back (two in three a conversation),
--                            not on a day the dialer is calling them
--   complaint                0.1% of collection contacts (x the complaint curve); resolved 14 days later
--   contact_preference       0.1% of contacts: 09:00-20:00, no calls, not at work
--   vulnerable               0.05% of contacts (an agent notices); ended 30 days later
--   attorney_representation  0.03% of collection contacts
--   workplace_prohibited     0.03% of contacts
--   bankruptcy               0.02% of collection contacts
--   breathing_space          0.05% of uk collection contacts, for 60 days
--   deceased                 0.01% of contacts
-- and disputes resolved ten days after they were raised (for every loan when the dispute was
-- borrower-wide, a reply's; else for its loan: kinds.py). (Email unsubscribes arrive as provider
-- events instead.)
WITH made AS (
    SELECT a.attempt_id, a.borrower_id, a.loan_id, a.channel, a.purpose, a.sent_at, b.jurisdiction,
           a.purpose = 'escalation' AS is_collection,
           curve_at($complaint_curve, ci.contacts_7d)::DECIMAL(9, 6) AS complaint_x,   -- decimals: at 1.0 the edges are exact
           curve_at($opt_out_curve, ci.contacts_7d)::DECIMAL(9, 6) AS opt_out_x,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':op')) % 100000) / 100000.0 AS r,
           EXISTS (SELECT 1 FROM contact_attempts AS c   -- the dialer is on them today: no call-back
                   WHERE c.borrower_id = a.borrower_id AND c.channel = 'call'
                     AND c.planned_for_date = $as_of::DATE AND c.sent_at IS NOT NULL) AS called
    FROM contact_attempts AS a JOIN borrowers AS b USING (borrower_id)
    LEFT JOIN contact_intensity($as_of::DATE) AS ci USING (borrower_id)
    WHERE a.planned_for_date = $as_of::DATE AND a.sent_at IS NOT NULL
),
asked AS (
    SELECT *,
           CASE WHEN purpose = 'escalation' AND r >= 0.5 AND r < 0.5 + 0.002 * opt_out_x THEN 'cease_contact'
                WHEN channel = 'sms' AND r >= 0.10 AND r < 0.104 AND NOT called THEN 'inbound_call'
                WHEN is_collection AND r >= 0.20 AND r < 0.20 + 0.001 * complaint_x THEN 'complaint'
                WHEN r >= 0.30 AND r < 0.301 THEN 'contact_preference'
                WHEN r >= 0.31 AND r < 0.3105 THEN 'vulnerable'
                WHEN is_collection AND r >= 0.32 AND r < 0.3203 THEN 'attorney_representation'
                WHEN r >= 0.33 AND r < 0.3303 THEN 'workplace_prohibited'
                WHEN is_collection AND r >= 0.34 AND r < 0.3402 THEN 'bankruptcy'
                WHEN is_collection AND jurisdiction = 'uk' AND r >= 0.35 AND r < 0.3505 THEN 'breathing_space'
                WHEN r >= 0.36 AND r < 0.3601 THEN 'deceased'
           END AS kind
    FROM made
)
SELECT 'sim-' || replace(kind, '_', '-') || '-' || attempt_id AS event_id, borrower_id,
       NULL AS loan_id, kind, NULL AS channel,
       strftime(sent_at + INTERVAL 3 HOUR, '%Y-%m-%dT%H:%M:%S+00:00') AS occurred_at,
       CASE WHEN kind = 'breathing_space' THEN strftime($as_of::DATE + 60, '%Y-%m-%d') END AS "until",
       CASE WHEN kind = 'attorney_representation' THEN 'Law firm ref ' || attempt_id END AS attorney,
       CASE WHEN kind = 'contact_preference' THEN '09:00' END AS window_start,
       CASE WHEN kind = 'contact_preference' THEN '20:00' END AS window_end,
       CASE WHEN kind = 'contact_preference' THEN 'call' END AS avoid_channels,
       CASE WHEN kind = 'contact_preference' THEN 'work' END AS avoid_places,
       CASE WHEN kind = 'inbound_call' THEN (r < 0.1027)::VARCHAR END AS conversation
FROM asked WHERE kind IS NOT NULL
UNION ALL BY NAME
SELECT 'sim-end-' || e.event_id AS event_id, e.borrower_id, NULL AS loan_id,
       CASE e.kind WHEN 'complaint' THEN 'complaint_resolved' ELSE 'vulnerable_ended' END AS kind,
       NULL AS channel,
       strftime(e.occurred_at + CASE e.kind WHEN 'complaint' THEN INTERVAL 14 DAY ELSE INTERVAL 30 DAY END,
                '%Y-%m-%dT%H:%M:%S+00:00') AS occurred_at
FROM borrower_events AS e JOIN borrowers AS b USING (borrower_id)
WHERE e.kind IN ('complaint', 'vulnerable') AND e.source = 'operator'
  AND timezone(b.timezone, e.occurred_at + CASE e.kind WHEN 'complaint' THEN INTERVAL 14 DAY
                                                       ELSE INTERVAL 30 DAY END)::DATE = $as_of::DATE
UNION ALL BY NAME
SELECT 'sim-resolve-' || d.event_id AS event_id, d.borrower_id, CASE WHEN d.scope = 'loan' THEN d.loan_id END AS loan_id,
       'dispute_resolved' AS kind, NULL AS channel,
       strftime(d.occurred_at + INTERVAL 10 DAY, '%Y-%m-%dT%H:%M:%S+00:00') AS occurred_at
FROM borrower_events AS d JOIN borrowers AS b USING (borrower_id)
WHERE d.kind = 'dispute'
  AND timezone(b.timezone, d.occurred_at + INTERVAL 10 DAY)::DATE = $as_of::DATE
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS x
                  WHERE x.borrower_id = d.borrower_id AND x.kind = 'dispute_resolved'
                    AND x.occurred_at > d.occurred_at);
