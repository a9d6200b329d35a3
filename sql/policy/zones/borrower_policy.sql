-- borrower_policy: the effective limits of each borrower being judged (gate_input) as of $now,
-- with the columns of cfg_profiles (so caps read it where they read a profile), plus:
--   profiles        every profile that applies: the jurisdiction on file ('default' when it names
--                   none the config has) and each profile whose `countries` hold a phone's region;
--   vulnerable      the latest vulnerable / vulnerable_ended event is 'vulnerable';
--   calls_barred    vulnerable and [policy.vulnerable].calls_allowed is false;
--   avoid_channels  the latest contact_preference's avoid_channels ([] without one).
-- Window: the latest start and earliest end over the applying profiles, narrowed by the latest
-- contact_preference's window (when it names one). Caps: the smallest over the profiles, and
-- while vulnerable the smaller of that and [policy.vulnerable] (cfg_vulnerable). Cooldown: the
-- longest; forbearance: any. `profile` stays the jurisdiction's (holidays use `profiles`).
-- Why: Reg F 1006.6(b)(1) (times the consumer names, the consumer's location), CONC 7.9 (requests
-- about how and when to communicate), FCA FG21/1 (vulnerable customers): the strictest rule that
-- may apply to the person wins.
CREATE OR REPLACE TEMP TABLE borrower_policy AS
WITH subjects AS (
    SELECT b.borrower_id, coalesce(p.profile, 'default') AS profile
    FROM borrowers AS b
    LEFT JOIN cfg_profiles AS p ON p.profile = b.jurisdiction
    WHERE b.borrower_id IN (SELECT borrower_id FROM gate_input)
),
applying AS (
    SELECT borrower_id, profile FROM subjects
    UNION
    SELECT bp.borrower_id, c.profile
    FROM borrower_phones AS bp
    JOIN phone_zones AS pz USING (phone)
    JOIN cfg_profile_countries AS c ON c.region = pz.region
),
strictest AS (
    SELECT a.borrower_id, list(DISTINCT a.profile ORDER BY a.profile) AS profiles,
           max(p.window_start) AS window_start, min(p.window_end) AS window_end,
           min(p.calls_per_7_days) AS calls_per_7_days, min(p.reached_calls_per_day) AS reached_calls_per_day,
           max(p.call_cooldown_days) AS call_cooldown_days, min(p.sms_per_day) AS sms_per_day,
           min(p.sms_per_7_days) AS sms_per_7_days, min(p.email_per_day) AS email_per_day,
           min(p.contacts_per_day) AS contacts_per_day, bool_or(p.forbearance) AS forbearance
    FROM applying AS a JOIN cfg_profiles AS p USING (profile)
    GROUP BY a.borrower_id
),
events AS (
    SELECT e.borrower_id, e.kind, e.occurred_at, e.event_id, e.detail
    FROM borrower_events AS e
    WHERE e.occurred_at <= $now
      AND e.kind IN ('vulnerable', 'vulnerable_ended', 'contact_preference')
      AND e.borrower_id IN (SELECT borrower_id FROM subjects)
),
vulnerable AS (
    SELECT borrower_id, arg_max(kind, (occurred_at, event_id)) = 'vulnerable' AS vulnerable
    FROM events WHERE kind IN ('vulnerable', 'vulnerable_ended') GROUP BY borrower_id
),
preference AS (
    SELECT borrower_id,
           try_cast(json_extract_string(detail, '$.window[0]') AS TIME) AS pref_start,
           try_cast(json_extract_string(detail, '$.window[1]') AS TIME) AS pref_end,
           coalesce(try_cast(json_extract(detail, '$.avoid_channels') AS VARCHAR[]), []) AS avoid_channels
    FROM (SELECT borrower_id, arg_max(detail, (occurred_at, event_id)) AS detail
          FROM events WHERE kind = 'contact_preference' GROUP BY borrower_id)
),
flags AS (
    SELECT s.*, coalesce(v.vulnerable, false) AS vulnerable, pr.pref_start, pr.pref_end,
           coalesce(pr.avoid_channels, []) AS avoid_channels
    FROM strictest AS s
    LEFT JOIN vulnerable AS v USING (borrower_id)
    LEFT JOIN preference AS pr USING (borrower_id)
)
SELECT f.borrower_id, s.profile,
       greatest(f.window_start, coalesce(f.pref_start, f.window_start)) AS window_start,
       least(f.window_end, coalesce(f.pref_end, f.window_end)) AS window_end,
       CASE WHEN f.vulnerable THEN least(f.calls_per_7_days, cv.calls_per_7_days) ELSE f.calls_per_7_days END
           AS calls_per_7_days,
       CASE WHEN f.vulnerable THEN least(f.reached_calls_per_day, cv.reached_calls_per_day)
            ELSE f.reached_calls_per_day END AS reached_calls_per_day,
       f.call_cooldown_days,
       CASE WHEN f.vulnerable THEN least(f.sms_per_day, cv.sms_per_day) ELSE f.sms_per_day END AS sms_per_day,
       CASE WHEN f.vulnerable THEN least(f.sms_per_7_days, cv.sms_per_7_days) ELSE f.sms_per_7_days END
           AS sms_per_7_days,
       CASE WHEN f.vulnerable THEN least(f.email_per_day, cv.email_per_day) ELSE f.email_per_day END AS email_per_day,
       CASE WHEN f.vulnerable THEN least(f.contacts_per_day, cv.contacts_per_day) ELSE f.contacts_per_day END
           AS contacts_per_day,
       f.forbearance,
       f.profiles, f.vulnerable, f.vulnerable AND NOT cv.calls_allowed AS calls_barred, f.avoid_channels
FROM flags AS f
JOIN subjects AS s USING (borrower_id)
CROSS JOIN cfg_vulnerable AS cv;
