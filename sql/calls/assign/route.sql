-- call_routes: the team of every call the policy let through today (temp table decisions, status
-- 'planned', channel 'call'): the first [[routing]] rule of config/agents.toml (cfg_routing, by
-- rule_no) whose every condition matches, else [calls] default_team (cfg_call_settings).
-- Conditions ("*" = any): languages (borrowers.language), timezones (the timezone on file; "Asia/*"
-- matches every zone of the region), jurisdictions (the borrower's policy profile, borrower_policy
-- as decide.sql used it), products (loans.product), channels, steps, min_dpd (loan_state.dpd).
-- Why data, not SQL: who calls whom is an operations decision (issue 16); the rules are the roster's.
CREATE OR REPLACE TEMP TABLE call_routes AS
WITH calls AS (
    SELECT d.idempotency_key, d.borrower_language AS language, d.timezone, d.profile, d.channel, d.step,
           l.product, coalesce(s.dpd, d.dpd, 0) AS dpd
    FROM decisions AS d
    LEFT JOIN loans AS l USING (loan_id)
    LEFT JOIN loan_state AS s ON s.loan_id = d.loan_id
    WHERE d.status = 'planned' AND d.channel = 'call'
),
matched AS (
    SELECT c.idempotency_key, arg_min(r.team, r.rule_no) AS team
    FROM calls AS c
    JOIN cfg_routing AS r
      ON (list_contains(r.languages, '*') OR list_contains(r.languages, c.language))
     AND len(list_filter(r.timezones, lambda t: t = '*' OR t = c.timezone
                         OR (suffix(t, '/*') AND starts_with(c.timezone, rtrim(t, '*'))))) > 0
     AND (list_contains(r.jurisdictions, '*') OR list_contains(r.jurisdictions, c.profile))
     AND (list_contains(r.products, '*') OR list_contains(r.products, c.product))
     AND (list_contains(r.channels, '*') OR list_contains(r.channels, c.channel))
     AND (list_contains(r.steps, '*') OR list_contains(r.steps, c.step))
     AND c.dpd >= r.min_dpd
    GROUP BY c.idempotency_key
)
SELECT c.idempotency_key, coalesce(m.team, (SELECT default_team FROM cfg_call_settings)) AS team
FROM calls AS c LEFT JOIN matched AS m USING (idempotency_key);
