-- Records the plan page's "none of these fit: call me" records (registered _plan_callbacks:
-- external_id, token, occurred_at) as callback_request events of the offer's borrower on the
-- offer's loan (channel 'call', scope 'borrower' like a reply asking for a call; detail says it came
-- from the plan page), planned as one call by sql/lifecycle/plan/reply_follow_ups.sql. Each
-- external_id once, ever; a token no offer has records nothing. recorded_at = $now. Returns the count.
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, detail, channel, source, external_id,
                             recorded_at, scope)
SELECT o.borrower_id, o.loan_id, 'callback_request', c.occurred_at, '{"via": "plan_page"}', 'call',
       'arrangement_web', c.external_id, $now, 'borrower'
FROM (SELECT * FROM _plan_callbacks QUALIFY row_number() OVER (PARTITION BY external_id ORDER BY occurred_at) = 1) AS c
JOIN arrangement_offers AS o ON o.token = c.token
WHERE NOT EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = c.external_id);
