-- survey_candidates: the surveys $as_of proposes, one row per contact, with what the invitation
-- records (programme, scale, trigger, last ladder step, dpd bucket, call team, contacts in the 30
-- days before). sql/surveys/add_candidates.sql adds them to candidates.
-- Reads survey_wanted (the programmes' wanted_<programme>.sql rows) and cfg_survey_programmes.
-- Sampling: a wanted row is kept when sha256(programme|sample_key), read as a fraction, is below
-- the programme's sample_rate (deterministic: a re-run keeps the same). At most one survey per
-- borrower per day: the highest priority programme, then programme name, loan, key.
-- Keys: contact_key(borrower, loan, template, channel, $as_of): a re-run proposes the same keys.
CREATE OR REPLACE TEMP TABLE survey_candidates AS
WITH sampled AS (
    SELECT w.*, p.scale, p.channel, p.template, p.priority
    FROM survey_wanted AS w
    JOIN cfg_survey_programmes AS p USING (programme)
    WHERE ('0x' || substr(sha256(w.programme || '|' || w.sample_key), 1, 8))::UBIGINT / 4294967296.0 < p.sample_rate
),
one AS (
    SELECT * FROM sampled
    QUALIFY row_number() OVER (PARTITION BY borrower_id
                               ORDER BY priority DESC, programme, loan_id, sample_key) = 1
)
SELECT contact_key(o.borrower_id, o.loan_id, o.template, o.channel, $as_of::DATE) AS idempotency_key,
       o.programme, o.scale, o.borrower_id, o.loan_id, o.channel, o.template AS step, b.language, l.product,
       o.trigger_attempt_id, o.team,
       (SELECT arg_max(a.step, a.sent_at) FROM contact_attempts AS a
        WHERE a.loan_id = o.loan_id AND a.purpose = 'escalation' AND a.sent_at IS NOT NULL
          AND a.planned_for_date < $as_of::DATE) AS last_step,
       coalesce(s.dpd, 0) AS dpd,
       CASE WHEN coalesce(s.dpd, 0) = 0 THEN 'current' WHEN s.dpd <= 7 THEN '1-7' WHEN s.dpd <= 30 THEN '8-30'
            WHEN s.dpd <= 60 THEN '31-60' ELSE '61+' END AS dpd_bucket,
       (SELECT count(*) FROM contact_attempts AS a
        WHERE a.borrower_id = o.borrower_id AND a.sent_at IS NOT NULL
          AND a.planned_for_date BETWEEN $as_of::DATE - 30 AND $as_of::DATE - 1)::INTEGER AS contacts_30d
FROM one AS o
JOIN borrowers AS b USING (borrower_id)
JOIN loans AS l USING (loan_id)
LEFT JOIN loan_state AS s USING (loan_id);

