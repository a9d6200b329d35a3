-- reply_follow_ups: the follow-ups of $as_of that answer a reply (issue 12), with the point each
-- must go to and the hours asked, as of $now:
--   opt_out_confirmation  one per opt_out recorded from an SMS or e-mail reply (source sms_reply /
--                         email_reply) by $now that is not yet confirmed: no confirmation on its
--                         channel for the borrower was planned for an earlier day on or after the
--                         opt-out's local day and taken (step_taken; days, not created_at: a
--                         replayed or simulated day is planned later on the wall clock; a
--                         re-run of $as_of ignores its own rows, so it proposes the same keys): by
--                         the first plan that sees it (in the 24 hours before $now), or by a later
--                         one while the borrower's local day $as_of still ends less than 3 days
--                         after it. 3 days is the tolerance both audits allow (opt_out_honoured.sql,
--                         reply_opt_outs_honoured.sql): the longest real lag, an opt-out just after
--                         one plan's instant (UTC+14 entering the day) confirmed by the next plan
--                         as late as 21:00 local in UTC-11, is 2 days 22 hours. Not when a provider already confirmed it (detail.decided_by
--                         'provider:...': Twilio Advanced Opt-Out), nor when the person opted back
--                         in since; on the opt-out's channel, addressed to the point it came from
--                         (contact_point). Several opt-outs of one borrower on one channel get one
--                         confirmation a day (one key a day).
--   callback              the call a callback_request asked for: on its day (detail.on, else the day
--                         after the request; never before the request), or the next days while the
--                         caps, quiet hours or cooldown hold it, up to $callback_wait_days after it;
--                         once per request (a callback taken on or after that day answers it). The
--                         hours asked (detail.from / detail.to, local) ride along as window_from /
--                         window_to; decide.sql narrows the call's window to them.
-- The loan a follow-up is filed under (contact_attempts.loan_id is required): the event's own, else
-- the borrower's first loan. Columns: candidates' columns, then contact_point, window_from, window_to.
-- Only the steps and channels config [follow_ups] names (cfg_steps). Read by
-- reply_follow_up_candidates.sql, gate_input.sql and decide.sql.
CREATE OR REPLACE TEMP TABLE reply_follow_ups AS
WITH first_loan AS (   -- of the borrowers with an opt-out or a callback request only, not the whole book
    SELECT borrower_id, min(loan_id) AS loan_id FROM loans
    WHERE borrower_id IN (SELECT borrower_id FROM borrower_events
                          WHERE kind IN ('opt_out', 'callback_request') AND occurred_at <= $now)
    GROUP BY borrower_id
),
opt_outs AS (
    SELECT e.borrower_id, coalesce(e.loan_id, f.loan_id) AS loan_id, e.channel,
           arg_max(e.contact_point, e.occurred_at) AS contact_point
    FROM borrower_events AS e
    JOIN first_loan AS f USING (borrower_id)
    JOIN borrowers AS b USING (borrower_id)
    WHERE e.kind = 'opt_out' AND e.source IN ('sms_reply', 'email_reply')
      AND e.occurred_at <= $now
      -- the first plan that sees it (the lag is then under 3 days in every real zone), or a later
      -- one (a day not planned, a confirmation the caps held) while local day $as_of ends within 3 days
      AND (e.occurred_at > $now - INTERVAL 1 DAY
           OR e.occurred_at > timezone(b.timezone, ($as_of::DATE + 1)::TIMESTAMP) - INTERVAL 3 DAY)
      AND e.contact_point IS NOT NULL AND e.channel IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM contact_attempts AS a     -- confirmed already by an earlier day's plan
                      WHERE a.borrower_id = e.borrower_id AND a.step = 'opt_out_confirmation'
                        AND a.channel = e.channel
                        AND a.planned_for_date >= timezone(coalesce(b.timezone, 'UTC'), e.occurred_at)::DATE
                        AND a.planned_for_date < $as_of::DATE   -- a re-run re-proposes the same key
                        AND step_taken(a.status, a.suppressed_reason))
      AND coalesce(CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.decided_by') END, '')
          NOT LIKE 'provider:%'
      AND NOT EXISTS (SELECT 1 FROM borrower_events AS i
                      WHERE i.kind = 'opt_in' AND i.channel = e.channel
                        AND (i.borrower_id = e.borrower_id OR i.contact_point = e.contact_point)
                        AND i.occurred_at > e.occurred_at AND i.occurred_at <= $now)
    GROUP BY ALL
),
requests AS (
    SELECT e.borrower_id, coalesce(e.loan_id, f.loan_id) AS loan_id, e.occurred_at,
           greatest(coalesce(TRY_CAST(d.asked_on AS DATE), timezone(b.timezone, e.occurred_at)::DATE + 1),
                    timezone(b.timezone, e.occurred_at)::DATE) AS target_day,
           TRY_CAST(d.asked_from AS TIME) AS window_from,
           TRY_CAST(d.asked_to AS TIME) AS window_to
    FROM borrower_events AS e
    JOIN borrowers AS b USING (borrower_id)
    JOIN first_loan AS f USING (borrower_id),
    LATERAL (SELECT CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.on') END AS asked_on,
                    CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.from') END AS asked_from,
                    CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.to') END AS asked_to) AS d
    WHERE e.kind = 'callback_request' AND e.occurred_at <= $now
),
callbacks AS (
    SELECT r.borrower_id,
           arg_max(r.loan_id, r.occurred_at) AS loan_id,
           arg_max(r.window_from, r.occurred_at) AS window_from,
           arg_max(r.window_to, r.occurred_at) AS window_to
    FROM requests AS r
    WHERE $as_of::DATE BETWEEN r.target_day AND r.target_day + $callback_wait_days::INTEGER
      AND NOT EXISTS (SELECT 1 FROM contact_attempts AS a
                      WHERE a.borrower_id = r.borrower_id AND a.step = 'callback' AND a.channel = 'call'
                        AND a.planned_for_date >= r.target_day
                        AND a.planned_for_date < $as_of::DATE   -- a re-run re-proposes the same key
                        AND step_taken(a.status, a.suppressed_reason))
    GROUP BY r.borrower_id
),
wanted AS (
    SELECT borrower_id, loan_id, channel, 'opt_out_confirmation' AS step, contact_point,
           NULL::TIME AS window_from, NULL::TIME AS window_to
    FROM opt_outs
    UNION ALL
    SELECT borrower_id, loan_id, 'call', 'callback', NULL, window_from, window_to FROM callbacks
)
SELECT contact_key(w.borrower_id, w.loan_id, c.step, c.channel, $as_of::DATE) AS idempotency_key,
       w.borrower_id, w.loan_id, NULL::INTEGER AS installment_no, c.channel, 'follow_up' AS purpose, c.step,
       NULL::VARCHAR AS episode_id, c.severity, NULL::DECIMAL(18, 2) AS amount_due, NULL::DATE AS due_date,
       0 AS dpd, NULL::DATE AS promised_date,
       any_value(w.contact_point) AS contact_point, any_value(w.window_from) AS window_from,
       any_value(w.window_to) AS window_to
FROM wanted AS w
JOIN cfg_steps AS c ON c.purpose = 'follow_up' AND c.step = w.step AND c.channel = w.channel
GROUP BY ALL;
