-- stats_offers: rebuilds arrangement_stats_offers, one row per plan offer whose contact went out
-- (arrangement_offers joined to its contact in contact_attempts, handed to a provider), with what
-- became of it by $horizon (stats_horizon.sql). No name, number or amount next to a name: ids only.
--   outcome   taken           a plan from this offer is active (accepted by the rules or approved)
--             pending_review  a plan from it waits for a person
--             declined        a reviewer declined the plan asked for (and nothing else from it is active)
--             open            no answer yet and the link still open on $horizon
--             unanswered      no answer and the offer expired
--   (an offer answered twice counts by its best answer: taken > pending_review > declined)
--   week      Monday of the local day the offer went (offered_on)
-- Replaced whole on every run (nightly): re-running over the same log gives the same table.
CREATE OR REPLACE TABLE arrangement_stats_offers AS
WITH went AS (
    SELECT o.token, o.borrower_id, o.loan_id, o.step, o.channel, o.language, o.currency, o.dpd,
           o.offered_on, o.expires_at, coalesce(l.product, '(none)') AS product
    FROM arrangement_offers AS o
    JOIN contact_attempts AS c ON c.attempt_id = o.attempt_id
    LEFT JOIN loans AS l ON l.loan_id = o.loan_id
    WHERE c.sent_at IS NOT NULL OR c.status IN ('sent', 'delivered')
),
answered AS (
    SELECT offer_token AS token,
           max(CASE status WHEN 'active' THEN 3 WHEN 'pending_review' THEN 2 WHEN 'declined' THEN 1 END) AS best
    FROM arrangements
    WHERE offer_token IS NOT NULL
    GROUP BY offer_token
)
SELECT w.token, w.borrower_id, w.loan_id, w.step, w.channel, w.language, w.currency, w.product, w.dpd,
       w.offered_on, date_trunc('week', w.offered_on)::DATE AS week,
       CASE a.best WHEN 3 THEN 'taken' WHEN 2 THEN 'pending_review' WHEN 1 THEN 'declined'
            ELSE CASE WHEN w.expires_at > CAST($horizon::DATE + 1 AS TIMESTAMPTZ) THEN 'open' ELSE 'unanswered' END
       END AS outcome
FROM went AS w
LEFT JOIN answered AS a USING (token);
