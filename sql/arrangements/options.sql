-- arrangement_options (temp table): every [arrangements.options] option for each subject of temp table
-- arrangement_subjects (subject_key, borrower_id, loan_id, as_of DATE, at TIMESTAMPTZ, starts_on DATE,
-- loan_ids VARCHAR[]: the loans the plan may cover, NULL = as cfg_arrangements.scope says),
-- with its schedule and whether it may be offered: eligibility 'auto' (the automatic rules hold),
-- 'review' (a person decides: the option says needs_review, or only its review_max_* bounds hold) or
-- 'no' (why_not says the first rule that fails). option_no numbers the offerable ones (auto, review)
-- in config order, 1.. per subject. Config: cfg_arrangement_options, cfg_arrangement_profiles,
-- cfg_arrangements (loan_comms/arrangements/options.py register_tables).
--
-- Arrears are the loan's real ones as of `at`: payments recorded ('payment' events) or arrived in the
-- feed by then, applied oldest installment first (as installment_state does), so a past instant can be
-- re-derived. The plan covers (cfg_arrangements.scope) 'loan': the subject loan; 'borrower': every loan
-- of the borrower in arrears in the subject loan's currency; a subject with loan_ids (a choice from an
-- offer, an approval) only those of them still in arrears: a plan is never wider than its offer. dpd: the most overdue covered loan's days
-- past due on as_of. Plan month k (1..months) runs to starts_on + k months (same day of month, clamped
-- to the month's end by DuckDB's month arithmetic): month 1 from as_of. Amounts in the currency's minor
-- unit (JPY, KRW: 0 decimals; others 2), computed as whole minor units so rounding is exact:
--   respread         arrears/months rounded (the last takes the remainder) + the contractual
--                    installments outstanding that fall due in that plan month;
--   reduced_payment  percent % of those contractual installments, at least min_payment;
--   freeze           those contractual installments (arrears frozen);
--   payment_holiday  no installments; ends_on = starts_on + months.
-- payment: the first installment's amount (what the menu says); total: the sum of the schedule;
-- equal: every installment the same amount; last: the last installment's amount.
-- absorbs: the contractual installments the plan takes over, [{loan_id, installment_no, outstanding}]:
-- those of the covered loans still outstanding as of `at` that fall due up to the plan's end
-- (starts_on + months), i.e. exactly the arrears and the contractual installments its amounts were
-- computed from (a holiday: those it defers). A kept plan settles these and only these.
CREATE OR REPLACE TEMP TABLE arrangement_options AS
WITH subj AS (
    SELECT s.subject_key, s.borrower_id, s.loan_id, s.as_of, s.at, s.starts_on, s.loan_ids, l.currency, l.product,
           CASE WHEN b.jurisdiction IN (SELECT profile FROM cfg_arrangement_profiles) THEN b.jurisdiction
                ELSE 'default' END AS profile,
           CASE WHEN upper(l.currency) IN ('JPY', 'KRW') THEN 0 ELSE 2 END AS minor_digits,
           b.timezone
    FROM arrangement_subjects AS s
    JOIN loans AS l ON l.loan_id = s.loan_id
    JOIN borrowers AS b ON b.borrower_id = s.borrower_id
),
scope_loans AS (   -- the loans a plan for the subject may cover
    SELECT s.subject_key, l.loan_id, s.at, s.as_of
    FROM subj AS s
    JOIN loans AS l ON l.borrower_id = s.borrower_id AND l.currency = s.currency
    CROSS JOIN cfg_arrangements AS c
    WHERE CASE WHEN s.loan_ids IS NULL THEN c.scope = 'borrower' OR l.loan_id = s.loan_id
               ELSE list_contains(s.loan_ids, l.loan_id) OR l.loan_id = s.loan_id END
),
feed AS (   -- the feed's payments of the scope loans only: the subjects are few, the feed is the book's
    SELECT f.loan_id, f.paid_at, f.amount, 'payment:' || f.payment_id AS external_id
    FROM payment_feed AS f
    WHERE f.loan_id IN (SELECT loan_id FROM scope_loans)
),
payments AS (   -- the scope loans' payments: recorded, or arrived in the feed and not recorded yet
    SELECT loan_id, occurred_at, amount FROM borrower_events
    WHERE kind = 'payment' AND loan_id IN (SELECT loan_id FROM scope_loans)
    UNION ALL
    SELECT f.loan_id, f.paid_at, f.amount FROM feed AS f
    WHERE f.external_id NOT IN (SELECT e.external_id FROM borrower_events AS e
                                WHERE e.external_id IN (SELECT external_id FROM feed))
),
paid AS (
    SELECT c.subject_key, c.loan_id, coalesce(sum(p.amount), 0) AS total_paid
    FROM scope_loans AS c
    LEFT JOIN payments AS p ON p.loan_id = c.loan_id AND p.occurred_at <= c.at
    GROUP BY c.subject_key, c.loan_id
),
inst AS (
    SELECT c.subject_key, c.as_of, i.loan_id, i.installment_no, i.due_date, i.amount_due,
           i.amount_due - greatest(least(p.total_paid - (sum(i.amount_due) OVER (
                   PARTITION BY c.subject_key, i.loan_id ORDER BY i.installment_no ROWS UNBOUNDED PRECEDING)
               - i.amount_due), i.amount_due), 0) AS outstanding
    FROM scope_loans AS c
    JOIN installments AS i ON i.loan_id = c.loan_id
    JOIN paid AS p ON p.subject_key = c.subject_key AND p.loan_id = c.loan_id
),
loan_arrears AS (
    SELECT subject_key, loan_id,
           coalesce(sum(outstanding) FILTER (WHERE due_date < as_of), 0) AS arrears,
           coalesce(date_diff('day', min(due_date) FILTER (WHERE due_date < as_of AND outstanding > 0),
                              any_value(as_of)), 0) AS dpd
    FROM inst GROUP BY subject_key, loan_id
),
covered AS (
    SELECT subject_key, sum(arrears) AS arrears, max(dpd) AS dpd,
           list({'loan_id': loan_id, 'arrears': arrears} ORDER BY loan_id) AS covered
    FROM loan_arrears WHERE arrears > 0
    GROUP BY subject_key
),
own AS (   -- the subject loan itself must be in arrears: it is the plan's first loan
    SELECT subject_key, arrears > 0 AS in_arrears FROM loan_arrears AS a
    WHERE a.loan_id = (SELECT s.loan_id FROM subj AS s WHERE s.subject_key = a.subject_key)
),
flags AS (
    SELECT s.subject_key,
           count(*) FILTER (WHERE e.kind = 'arrangement_broken') AS broken,
           coalesce(bool_or((e.kind = 'hardship_request'
                              OR (e.kind = 'visit_outcome' AND json_extract_string(e.detail, '$.outcome') = 'hardship'))
                             AND timezone(s.timezone, e.occurred_at)::DATE
                                 BETWEEN s.as_of - c.hardship_window_days AND s.as_of), false) AS hardship,
           coalesce(arg_max(e.kind, e.occurred_at) FILTER (
               WHERE e.kind IN ('vulnerable', 'vulnerable_ended') AND coalesce(e.scope, 'borrower') <> 'point')
               = 'vulnerable', false) AS vulnerable
    FROM subj AS s
    CROSS JOIN cfg_arrangements AS c
    LEFT JOIN borrower_events AS e
      ON e.borrower_id = s.borrower_id AND e.occurred_at <= s.at
     AND e.kind IN ('arrangement_broken', 'hardship_request', 'visit_outcome', 'vulnerable', 'vulnerable_ended')
    GROUP BY s.subject_key
),
months AS (   -- plan month k of each subject: its due date and the contractual installments it holds
    SELECT s.subject_key, k.k,
           (s.starts_on + to_months(k.k))::DATE AS due_date,
           s.minor_digits
    FROM subj AS s
    CROSS JOIN range(1, (SELECT coalesce(max(months), 1) + 1 FROM cfg_arrangement_options)) AS k(k)
),
contractual AS (
    SELECT m.subject_key, m.k, m.due_date, m.minor_digits,
           coalesce(sum(i.outstanding), 0) AS amount
    FROM months AS m
    JOIN subj AS s USING (subject_key)
    LEFT JOIN (SELECT i.* FROM inst AS i JOIN loan_arrears AS a USING (subject_key, loan_id) WHERE a.arrears > 0) AS i
      ON i.subject_key = m.subject_key AND i.outstanding > 0 AND i.due_date >= s.as_of
     AND i.due_date <= m.due_date
     AND (m.k = 1 OR i.due_date > (s.starts_on + to_months(m.k - 1))::DATE)
    GROUP BY m.subject_key, m.k, m.due_date, m.minor_digits
),
pairs AS (   -- each subject with each option, and the automatic and review rules
    SELECT s.subject_key, s.starts_on, s.currency, s.minor_digits, o.*,
           coalesce(c.arrears, 0) AS arrears, coalesce(c.dpd, 0) AS dpd, coalesce(c.covered, []) AS covered,
           coalesce(w.in_arrears, false) AS in_arrears, f.broken, f.hardship, f.vulnerable, p.forbearance,
           round(coalesce(c.arrears, 0) * (CASE s.minor_digits WHEN 0 THEN 1 ELSE 100 END))::BIGINT AS arrears_minor,
           CASE s.minor_digits WHEN 0 THEN 1 ELSE 100 END AS unit,
           (list_contains(o.products, '*') OR list_contains(o.products, s.product))
           AND (list_contains(o.jurisdictions, '*') OR list_contains(o.jurisdictions, s.profile)) AS applies,
           len(o.requires) = 0 OR (list_contains(o.requires, 'hardship') AND f.hardship)
                               OR (list_contains(o.requires, 'vulnerable') AND f.vulnerable) AS flags_ok,
           (o.min_arrears IS NULL OR coalesce(c.arrears, 0) >= o.min_arrears)
           AND (o.max_arrears IS NULL OR coalesce(c.arrears, 0) <= o.max_arrears) AS band_ok
    FROM subj AS s
    CROSS JOIN cfg_arrangement_options AS o
    LEFT JOIN covered AS c USING (subject_key)
    LEFT JOIN own AS w USING (subject_key)
    JOIN flags AS f USING (subject_key)
    LEFT JOIN cfg_arrangement_profiles AS p ON p.profile = s.profile
),
sched AS (
    SELECT q.subject_key, q.option_id, m.k AS no, m.due_date,
           CASE q.kind
               WHEN 'respread' THEN
                   CASE WHEN m.k < q.months THEN round(q.arrears_minor / q.months)::BIGINT
                        ELSE q.arrears_minor - (q.months - 1) * round(q.arrears_minor / q.months)::BIGINT END
                   + round(m.amount * q.unit)::BIGINT
               WHEN 'reduced_payment' THEN
                   greatest(round(round(m.amount * q.unit)::BIGINT * q.percent / 100)::BIGINT,
                            round(q.min_payment * q.unit)::BIGINT)
               ELSE round(m.amount * q.unit)::BIGINT
           END AS minor,
           q.unit
    FROM pairs AS q
    JOIN contractual AS m ON m.subject_key = q.subject_key AND m.k <= q.months
    WHERE q.kind <> 'payment_holiday'
),
sched_lists AS (
    SELECT subject_key, option_id,
           list({'no': no, 'due_date': due_date, 'amount': (minor / unit)::DECIMAL(18, 2)} ORDER BY no) AS schedule,
           (arg_min(minor, no) / any_value(unit))::DECIMAL(18, 2) AS payment,
           (sum(minor) / any_value(unit))::DECIMAL(18, 2) AS total,
           min(minor) AS least_minor,
           max(due_date) AS last_due,
           min(minor) = max(minor) AS equal,
           (arg_max(minor, no) / any_value(unit))::DECIMAL(18, 2) AS last
    FROM sched GROUP BY subject_key, option_id
),
judged AS (
    SELECT q.*, sl.schedule, sl.payment, sl.total, sl.least_minor, sl.last_due, sl.equal, sl.last,
           CASE
               WHEN NOT q.in_arrears THEN 'nothing in arrears on this loan'
               WHEN NOT q.applies THEN 'not for this loan''s product or jurisdiction'
               WHEN NOT q.band_ok THEN 'arrears outside the option''s band'
               WHEN NOT q.flags_ok THEN 'needs a recent hardship request or a vulnerability flag'
               WHEN q.dpd < q.min_dpd THEN 'not enough days past due'
               WHEN q.months > q.max_term_months THEN 'term longer than max_term_months'
               WHEN q.kind <> 'payment_holiday' AND coalesce(sl.least_minor, 0) < round(q.min_payment * q.unit)
                   THEN 'a payment would be below min_payment'
               WHEN q.dpd > coalesce(q.review_max_dpd, q.max_dpd) THEN 'too many days past due'
               WHEN q.broken > coalesce(q.review_max_broken, q.max_broken) THEN 'too many broken plans'
           END AS why_not,
           q.dpd <= q.max_dpd AND q.broken <= q.max_broken AS auto_bounds
    FROM pairs AS q
    LEFT JOIN sched_lists AS sl USING (subject_key, option_id)
),
absorbed AS (   -- per subject and option: the outstanding installments of covered loans due by its end
    SELECT q.subject_key, q.option_id,
           list({'loan_id': i.loan_id, 'installment_no': i.installment_no, 'outstanding': i.outstanding}
                ORDER BY i.loan_id, i.installment_no) AS absorbs
    FROM pairs AS q
    JOIN inst AS i ON i.subject_key = q.subject_key AND i.outstanding > 0
     AND i.due_date <= (q.starts_on + to_months(q.months))::DATE
    JOIN loan_arrears AS a ON a.subject_key = i.subject_key AND a.loan_id = i.loan_id AND a.arrears > 0
    GROUP BY q.subject_key, q.option_id
)
SELECT subject_key, option_id, ord, kind, months, label_en, label_zh, currency, arrears, dpd, covered, starts_on,
       CASE WHEN kind = 'payment_holiday' THEN (starts_on + to_months(months))::DATE ELSE last_due END AS ends_on,
       CASE WHEN why_not IS NOT NULL THEN 'no' WHEN needs_review OR NOT auto_bounds THEN 'review' ELSE 'auto' END
           AS eligibility,
       why_not,
       why_not IS NULL AND (needs_review OR NOT auto_bounds) AS needs_review,
       CASE WHEN why_not IS NULL THEN row_number() OVER (PARTITION BY subject_key, why_not IS NULL ORDER BY ord) END
           AS option_no,
       coalesce(payment, 0::DECIMAL(18, 2)) AS payment,
       coalesce(total, 0::DECIMAL(18, 2)) AS total,
       kind = 'freeze' OR freeze_interest = 'always' OR (freeze_interest = 'where_profile_asks' AND coalesce(forbearance, false))
           AS freeze_interest,
       coalesce(schedule, []) AS schedule,
       coalesce(equal, true) AS equal,
       coalesce(last, 0::DECIMAL(18, 2)) AS last,
       coalesce(b.absorbs, []) AS absorbs,
       broken, hardship, vulnerable
FROM judged
LEFT JOIN absorbed AS b USING (subject_key, option_id);
