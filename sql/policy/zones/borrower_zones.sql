-- borrower_zones: every zone each borrower being judged (gate_input) may be in, (borrower_id,
-- zone, sources): the timezone on file, the address's zone (borrowers.address_timezone), every zone
-- of each of their phones (phone_zones, looked up by loan_comms/policy/zones.py), and, when the
-- timezone on file was only derived from the jurisdiction (borrowers.timezone_source =
-- 'jurisdiction'), every zone of that jurisdiction's profile (cfg_profile_zones).
-- Why: Reg F 1006.6(b)(1) comment 2: when the location is unclear, a time is convenient only if it
-- is convenient in EVERY zone the consumer may be in; contact_windows intersects over these rows.
CREATE OR REPLACE TEMP TABLE borrower_zones AS
WITH b AS (
    SELECT b.borrower_id, b.timezone, b.address_timezone, b.timezone_source,
           coalesce(p.profile, 'default') AS profile
    FROM borrowers AS b
    LEFT JOIN cfg_profiles AS p ON p.profile = b.jurisdiction
    WHERE b.borrower_id IN (SELECT borrower_id FROM gate_input)
),
found AS (
    SELECT borrower_id, timezone AS zone, coalesce(timezone_source, 'file') AS source FROM b
    UNION ALL
    SELECT borrower_id, address_timezone, 'address' FROM b WHERE address_timezone IS NOT NULL
    UNION ALL
    SELECT bp.borrower_id, pz.zone, 'phone'
    FROM borrower_phones AS bp JOIN phone_zones AS pz USING (phone) WHERE pz.zone IS NOT NULL
    UNION ALL
    SELECT b.borrower_id, z.zone, 'jurisdiction'
    FROM b JOIN cfg_profile_zones AS z USING (profile) WHERE b.timezone_source = 'jurisdiction'
)
SELECT borrower_id, zone, list(DISTINCT source ORDER BY source) AS sources
FROM found
GROUP BY borrower_id, zone;
