-- Simulated borrowers taking a repayment plan offered to them on local day $as_of: WHAT each chooses
-- and how; loan_comms/simulation/arrangements.py writes it in the production formats (the page's
-- JSON Lines, a Twilio inbound SMS) and lands it through the production intake.
-- Offers: arrangement_offers whose contact (contact_attempts) was planned for $as_of and went
-- (sent_at), with at least one option, on a loan without a plan pending or active-and-not-ended that
-- was asked for BEFORE the offer went (so a replay draws the same rows after the first landed).
-- Hash draws on ($seed, token):
--   take     by step: hardship_offer 60% (they asked for help), arrangement_reoffer 40%,
--            arrangement_declined 30% (another option after a decline), forbearance_offer 25%;
--            (arrangement_missed carries no offer: not in OFFER_STEPS, the plan is still on)
--   option   1 four times in five, else 2 when the offer has it
--   route    half 'sms' (a menu reply: only for an SMS offer whose number is known through the
--            recipients view, whose option is in the menu (option_no <= $sms_menu_options, not
--            needs_review), and when no later SMS went to that number before the reply, since a menu
--            answer must follow the menu), the rest 'web' (the page)
--   delay    10-249 minutes after the offer went, capped at $deadline (the ingestion's now) - 1 minute
-- Returns one row per choice: token, option_no, route, chosen_at, external_id ('web:<hash>' for the
-- page; the SMS MessageSid 'SIMPLAN<attempt_id>'), "From" (E.164, sms only), body ('1', '选1', ...,
-- sms only), language, step.
WITH offered AS (
    SELECT o.token, o.step, o.language, o.loan_id, a.attempt_id, a.borrower_id, a.channel, a.sent_at,
           a.contact_point,
           (hash(concat($seed::VARCHAR, ':', o.token, ':take')) % 100000) / 100000.0 AS r_take,
           (hash(concat($seed::VARCHAR, ':', o.token, ':option')) % 100000) / 100000.0 AS r_option,
           hash(concat($seed::VARCHAR, ':', o.token, ':route')) % 2 AS r_route,
           hash(concat($seed::VARCHAR, ':', o.token, ':form')) % 2 AS r_form,
           10 + hash(concat($seed::VARCHAR, ':', o.token, ':delay')) % 240 AS delay_min
    FROM arrangement_offers AS o
    JOIN contact_attempts AS a ON a.attempt_id = o.attempt_id
    WHERE a.planned_for_date = $as_of::DATE AND a.sent_at IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM arrangement_loans AS c JOIN arrangements AS p USING (arrangement_id)
          WHERE c.loan_id = o.loan_id AND p.requested_at < a.sent_at
            AND (p.status = 'pending_review'
                 OR (p.status = 'active'
                     AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                                     WHERE e.external_id IN ('arr:' || p.arrangement_id || ':broken',
                                                             'arr:' || p.arrangement_id || ':kept')
                                       AND e.occurred_at < a.sent_at))))
),
taking AS (
    SELECT f.*,
           CASE WHEN f.r_option < 0.8 OR NOT EXISTS (SELECT 1 FROM arrangement_offer_options AS x
                                                       WHERE x.token = f.token AND x.option_no = 2)
                THEN 1 ELSE 2 END AS option_no,
           least(f.sent_at + to_minutes(f.delay_min::BIGINT), $deadline::TIMESTAMPTZ - INTERVAL 1 MINUTE) AS chosen_at
    FROM offered AS f
    WHERE f.r_take < CASE f.step WHEN 'hardship_offer' THEN 0.60 WHEN 'arrangement_reoffer' THEN 0.40
                                 WHEN 'arrangement_declined' THEN 0.30 WHEN 'forbearance_offer' THEN 0.25
                                 ELSE 0 END
      AND EXISTS (SELECT 1 FROM arrangement_offer_options AS x WHERE x.token = f.token)
),
routed AS (
    SELECT t.*, r.address AS phone,
           t.channel = 'sms' AND t.r_route = 0 AND r.address IS NOT NULL
           AND EXISTS (SELECT 1 FROM arrangement_offer_options AS x
                       WHERE x.token = t.token AND x.option_no = t.option_no
                         AND x.option_no <= $sms_menu_options::INTEGER AND NOT x.needs_review)
           AND NOT EXISTS (SELECT 1 FROM contact_attempts AS later
                           WHERE later.channel = 'sms' AND later.sent_at > t.sent_at AND later.sent_at <= t.chosen_at
                             AND later.attempt_id <> t.attempt_id
                             AND (later.contact_point = t.contact_point
                                  OR (later.borrower_id = t.borrower_id
                                      AND (later.contact_point IS NULL OR t.contact_point IS NULL)))) AS by_sms
    FROM taking AS t
    LEFT JOIN recipients AS r
      ON r.borrower_id = t.borrower_id AND r.channel = 'sms'
     AND (r.point_id = t.contact_point OR (t.contact_point IS NULL AND r.is_primary))
    QUALIFY row_number() OVER (PARTITION BY t.token ORDER BY r.is_primary DESC NULLS LAST, r.point_id) = 1
)
SELECT token, option_no, CASE WHEN by_sms THEN 'sms' ELSE 'web' END AS route, chosen_at,
       CASE WHEN by_sms THEN 'SIMPLAN' || attempt_id
            ELSE 'web:' || substr(sha256(concat($seed::VARCHAR, ':', token, ':web')), 1, 16) END AS external_id,
       CASE WHEN by_sms THEN phone END AS "From",
       CASE WHEN NOT by_sms THEN NULL
            WHEN language = 'zh-CN' AND r_form = 1 THEN '选' || option_no::VARCHAR
            ELSE option_no::VARCHAR END AS body,
       language, step
FROM routed
ORDER BY chosen_at, token;
