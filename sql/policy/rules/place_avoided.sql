-- place_avoided: the contact's only usable point on the channel is at a place the borrower asked
-- us not to use: a 'work' point after a workplace_prohibited event, or a place listed in
-- detail.avoid_places of their latest contact_preference (point_routes.blocked). Another point at
-- another place is used instead when there is one.
-- Why: Reg F 1006.6(b)(3) (no contact at the place of employment when the debt collector knows
-- the employer prohibits it) and 1006.6(b)(1) (a place known to be inconvenient); FCA CONC 7.9.
-- Audit: places_avoided.
SELECT g.idempotency_key, 'place_avoided' AS reason
FROM gate_subjects AS g
WHERE g.point_blocked = 'place_avoided';
