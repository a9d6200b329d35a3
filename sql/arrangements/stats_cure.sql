-- stats_cure: rebuilds arrangement_stats_cure, the cure rate of loans that got a plan against loans
-- of the same days-past-due band that stayed on the plain ladder. OBSERVATIONAL, NOT AN EXPERIMENT:
-- who gets a plan is not random (they asked, or their profile offers forbearance), so a difference
-- is an association the dpd bands only partly adjust for; the counts are shown with every rate.
-- Units are delinquency episodes (delinquency_episodes: opened the day after the oldest unpaid due
-- date, closed when the loan is current again), each with an index day:
--   plan          the episode's first accepted plan covering the loan (arrangements.status 'active',
--                 arrangement_loans), index = the borrower's local day of the decision, band = the
--                 episode's dpd that day (index - opened_on + 1)
--   plain_ladder  episodes with no accepted plan while open; one unit per band the episode reached
--                 (still open on the band's first dpd), index = the day it reached it
-- Only index days up to $horizon (stats_horizon.sql). Per unit, with N = $cure_days (60):
--   cured      back to current (episode closed) within N days of the index, by $horizon
--   complete   the N-day window ended by $horizon (an incomplete one counts as not cured yet, for
--              both groups alike: compare rates of similar index days, or the complete counts)
--   on_track   plan units only: not current yet but its plan not broken (no arrangement_broken) by
--              the window's end: a plan replaces the contractual payments, so a loan on a kept-so-far
--              plan is still past due until the plan is kept
-- Rows: (band, grp) for band in '1-30', '31-60', '61-90', '91+' and each group (zeros included),
-- plus band 'all': for 'plan' the plain totals; for 'plain_ladder' loans/complete_windows/cured count
-- distinct episodes and cure_rate is STANDARDIZED to the plan group's band mix (sum over bands of the
-- band's plain-ladder rate x the plan group's units in it, over the plan units in bands with any
-- plain-ladder unit; standardized = true), so the two 'all' rates compare like with like.
--   cure_rate = cured / loans, resolved_rate = (cured + on_track) / loans (0-1, NULL with no unit).
-- Replaced whole on every run (nightly).
CREATE OR REPLACE TABLE arrangement_stats_cure AS
WITH bands(band, lo, hi, ord) AS (
    VALUES ('1-30', 1, 30, 1), ('31-60', 31, 60, 2), ('61-90', 61, 90, 3), ('91+', 91, 1000000, 4)
),
groups(grp) AS (VALUES ('plan'), ('plain_ladder')),
decided AS (
    SELECT c.loan_id, a.arrangement_id, timezone(b.timezone, a.decided_at)::DATE AS decided_on
    FROM arrangements AS a
    JOIN arrangement_loans AS c USING (arrangement_id)
    JOIN borrowers AS b ON b.borrower_id = a.borrower_id
    WHERE a.status = 'active' AND a.decided_at IS NOT NULL
),
broken AS (
    SELECT json_extract_string(e.detail, '$.arrangement_id') AS arrangement_id,
           min(timezone(b.timezone, e.occurred_at)::DATE) AS broken_on
    FROM borrower_events AS e JOIN borrowers AS b USING (borrower_id)
    WHERE e.kind = 'arrangement_broken'
    GROUP BY 1
),
planned AS (
    SELECT e.episode_id, e.opened_on, e.closed_on,
           arg_min(d.arrangement_id, d.decided_on) AS arrangement_id, min(d.decided_on) AS index_day
    FROM delinquency_episodes AS e
    JOIN decided AS d
      ON d.loan_id = e.loan_id AND d.decided_on >= e.opened_on AND (e.closed_on IS NULL OR d.decided_on < e.closed_on)
    WHERE d.decided_on <= $horizon::DATE
    GROUP BY e.episode_id, e.opened_on, e.closed_on
),
units AS (
    SELECT 'plan' AS grp, p.episode_id, p.index_day, p.closed_on,
           date_diff('day', p.opened_on, p.index_day) + 1 AS dpd, k.broken_on
    FROM planned AS p LEFT JOIN broken AS k USING (arrangement_id)
    UNION ALL
    SELECT 'plain_ladder', e.episode_id, e.opened_on - 1 + bd.lo, e.closed_on, bd.lo, NULL::DATE
    FROM delinquency_episodes AS e CROSS JOIN bands AS bd
    WHERE e.opened_on - 1 + bd.lo <= $horizon::DATE
      AND (e.closed_on IS NULL OR e.closed_on > e.opened_on - 1 + bd.lo)
      AND NOT EXISTS (SELECT 1 FROM decided AS d
                      WHERE d.loan_id = e.loan_id AND d.decided_on >= e.opened_on
                        AND (e.closed_on IS NULL OR d.decided_on < e.closed_on))
),
judged AS (
    SELECT u.grp, u.episode_id, bd.band, bd.ord,
           u.index_day + $cure_days::INTEGER <= $horizon::DATE AS complete,
           coalesce(u.closed_on <= u.index_day + $cure_days::INTEGER, false) AS cured,
           u.grp = 'plan' AND NOT coalesce(u.closed_on <= u.index_day + $cure_days::INTEGER, false)
             AND (u.broken_on IS NULL OR u.broken_on > least(u.index_day + $cure_days::INTEGER, $horizon::DATE))
             AS on_track
    FROM units AS u JOIN bands AS bd ON u.dpd BETWEEN bd.lo AND bd.hi
),
per_band AS (
    SELECT bd.band, bd.ord, g.grp,
           count(j.episode_id) AS loans,
           count(j.episode_id) FILTER (WHERE j.complete) AS complete_windows,
           count(j.episode_id) FILTER (WHERE j.cured) AS cured,
           count(j.episode_id) FILTER (WHERE j.on_track) AS on_track
    FROM bands AS bd CROSS JOIN groups AS g
    LEFT JOIN judged AS j ON j.band = bd.band AND j.grp = g.grp
    GROUP BY bd.band, bd.ord, g.grp
),
rated AS (
    SELECT *, CASE WHEN loans > 0 THEN cured / loans END AS rate,
              CASE WHEN loans > 0 THEN (cured + on_track) / loans END AS resolved
    FROM per_band
),
std AS (
    SELECT sum(c.rate * p.loans) / nullif(sum(p.loans), 0) AS rate
    FROM rated AS p JOIN rated AS c ON c.band = p.band AND c.grp = 'plain_ladder' AND c.loans > 0
    WHERE p.grp = 'plan'
)
SELECT band, ord, grp, loans, complete_windows, cured, on_track,
       round(rate, 4) AS cure_rate, round(resolved, 4) AS resolved_rate, false AS standardized
FROM rated
UNION ALL
SELECT 'all', 0, 'plan', sum(loans)::BIGINT, sum(complete_windows)::BIGINT, sum(cured)::BIGINT, sum(on_track)::BIGINT,
       round(sum(cured) / nullif(sum(loans), 0), 4), round(sum(cured + on_track) / nullif(sum(loans), 0), 4), false
FROM rated WHERE grp = 'plan'
UNION ALL
SELECT 'all', 0, 'plain_ladder', count(DISTINCT episode_id), count(DISTINCT episode_id) FILTER (WHERE complete),
       count(DISTINCT episode_id) FILTER (WHERE cured), 0,
       round((SELECT rate FROM std), 4), round((SELECT rate FROM std), 4), true
FROM judged WHERE grp = 'plain_ladder'
ORDER BY ord, grp;
