-- Returns the offer tokens of the call-me records being landed (registered _plan_callbacks: token)
-- that name a recorded offer; a record whose token no offer has is quarantined by the caller.
SELECT DISTINCT o.token
FROM arrangement_offers AS o
WHERE o.token IN (SELECT token FROM _plan_callbacks);
