-- call_priority: for every call the policy let through today (decisions: planned, channel 'call'),
-- its priority score, the score's parts (priority_reasons, JSON list of {"factor", "value",
-- "points"}: the points add up to the score), the skills the agent needs and carried_days.
-- Weights: cfg_call_priority ([calls.priority] of agents.toml, see roster.py Priority):
--   days_past_due       dpd_points_per_day x days past due (loan_state, at most dpd_cap days);
--   amount              amount_points_per_log10 x log10(1 + amount outstanding on the loan);
--   broken_promises     broken_promise_points per promise to pay of the loan (a reply, a call or a
--                       visit outcome) whose date fell in the last 90 days, with less than the
--                       promised amount paid between the promise and the day after its date;
--   repeat_delinquency  repeat_delinquency_points when the loan had an earlier delinquency episode
--                       (closed: it was current again in between);
--   carried             carried_points x carried_days: earlier plan days this loan+step call was
--                       carried (call_assignments 'carried') since it was last assigned;
--   callback            callback_points when the borrower asked for the call (step 'callback');
--   vulnerable          the whole score x vulnerable_factor when the borrower is flagged vulnerable
--                       (less pressure, never more): this part is the (negative) difference.
-- Required skills: 'vulnerable' when the borrower is flagged vulnerable (borrower_flags);
-- 'hardship' when any loan of the borrower has a hardship request in the last
-- max(90, hardship_pause_days) days (which covers the pause) or the borrower has a repayment plan
-- asked for or running (arrangement_state pending_review / active).
-- Why stored with the call: the issue asks for a transparent score with its reasons on the row.
CREATE OR REPLACE TEMP TABLE call_priority AS
WITH calls AS (
    SELECT d.idempotency_key, d.borrower_id, d.loan_id, d.step,
           coalesce(s.dpd, d.dpd, 0) AS dpd, coalesce(s.outstanding_total, d.amount_due, 0) AS amount
    FROM decisions AS d
    LEFT JOIN loan_state AS s ON s.loan_id = d.loan_id
    WHERE d.status = 'planned' AND d.channel = 'call'
),
promises AS (
    SELECT e.loan_id, e.occurred_at,
           TRY_CAST(json_extract_string(e.detail, '$.promised_date') AS DATE) AS promised_date,
           coalesce(e.amount, 0.01) AS promised_amount
    FROM borrower_events AS e
    WHERE e.loan_id IN (SELECT loan_id FROM calls) AND e.occurred_at <= $now
      AND (e.kind = 'promise_to_pay'
           OR (e.kind IN ('call_outcome', 'visit_outcome')
               AND json_extract_string(e.detail, '$.outcome') = 'promise_to_pay'))
),
broken AS (
    SELECT p.loan_id, count(DISTINCT p.promised_date) AS n
    FROM promises AS p
    WHERE p.promised_date BETWEEN $as_of::DATE - 90 AND $as_of::DATE - 2
      AND p.promised_amount > coalesce((SELECT sum(x.amount) FROM payment_events AS x
                                        WHERE x.loan_id = p.loan_id AND x.occurred_at >= p.occurred_at
                                          AND x.occurred_at < (p.promised_date + 2)::TIMESTAMPTZ), 0)
    GROUP BY p.loan_id
),
repeat AS (
    SELECT DISTINCT loan_id FROM day_episodes
    WHERE loan_id IN (SELECT loan_id FROM calls) AND closed_on IS NOT NULL AND closed_on <= $as_of::DATE
),
carried AS (
    SELECT c.idempotency_key,
           count(DISTINCT a.plan_date) FILTER (
               WHERE a.outcome = 'carried'
                 AND a.plan_date > coalesce((SELECT max(x.plan_date) FROM call_assignments AS x
                                             WHERE x.loan_id = c.loan_id AND x.step = c.step
                                               AND x.outcome = 'assigned' AND x.plan_date < $as_of::DATE),
                                            DATE '1900-01-01')) AS n
    FROM calls AS c
    JOIN call_assignments AS a ON a.loan_id = c.loan_id AND a.step = c.step AND a.plan_date < $as_of::DATE
    GROUP BY c.idempotency_key
),
hardship AS (
    SELECT DISTINCT l.borrower_id
    FROM loan_flags AS f JOIN loans AS l USING (loan_id)
    WHERE f.hardship_requested_on >= $as_of::DATE - greatest(90, $hardship_pause_days::INTEGER)
    UNION
    SELECT borrower_id FROM arrangement_state WHERE status IN ('pending_review', 'active')
),
parts AS (
    SELECT c.idempotency_key, coalesce(k.n, 0) AS carried_days,
           coalesce(bf.vulnerable_active, false) AS vulnerable,
           h.borrower_id IS NOT NULL AS hardship,
           [{'factor': 'days_past_due', 'value': c.dpd::DOUBLE,
             'points': round(w.dpd_points_per_day * least(c.dpd, w.dpd_cap), 2)},
            {'factor': 'amount', 'value': round(c.amount::DOUBLE, 2),
             'points': round(w.amount_points_per_log10 * log10(1 + greatest(c.amount::DOUBLE, 0)), 2)},
            {'factor': 'broken_promises', 'value': coalesce(b.n, 0)::DOUBLE,
             'points': round(w.broken_promise_points * coalesce(b.n, 0), 2)},
            {'factor': 'repeat_delinquency', 'value': (r.loan_id IS NOT NULL)::INTEGER::DOUBLE,
             'points': CASE WHEN r.loan_id IS NOT NULL THEN w.repeat_delinquency_points ELSE 0 END},
            {'factor': 'carried', 'value': coalesce(k.n, 0)::DOUBLE,
             'points': round(w.carried_points * coalesce(k.n, 0), 2)},
            {'factor': 'callback', 'value': (c.step = 'callback')::INTEGER::DOUBLE,
             'points': CASE WHEN c.step = 'callback' THEN w.callback_points ELSE 0 END}] AS parts,
           w.vulnerable_factor
    FROM calls AS c
    CROSS JOIN cfg_call_priority AS w
    LEFT JOIN broken AS b ON b.loan_id = c.loan_id
    LEFT JOIN repeat AS r ON r.loan_id = c.loan_id
    LEFT JOIN carried AS k ON k.idempotency_key = c.idempotency_key
    LEFT JOIN borrower_flags AS bf ON bf.borrower_id = c.borrower_id
    LEFT JOIN hardship AS h ON h.borrower_id = c.borrower_id
),
scored AS (
    SELECT p.*,
           list_sum(list_transform(p.parts, lambda x: x.points)) AS base,
           CASE WHEN p.vulnerable
                THEN round(list_sum(list_transform(p.parts, lambda x: x.points)) * (p.vulnerable_factor - 1), 2)
                ELSE 0 END AS vulnerable_points
    FROM parts AS p
)
SELECT idempotency_key, carried_days,
       round(base + vulnerable_points, 2) AS priority_score,
       to_json(list_filter(
           list_concat(parts, CASE WHEN vulnerable THEN [{'factor': 'vulnerable', 'value': vulnerable_factor,
                                                          'points': vulnerable_points}] ELSE [] END),
           lambda x: x.points <> 0))::VARCHAR AS priority_reasons,
       list_filter(['vulnerable', 'hardship'],
                   lambda s: (s = 'vulnerable' AND vulnerable) OR (s = 'hardship' AND hardship)) AS required_skills
FROM scored;
