-- After settle_lookup.sql: how many of the pushes just looked up (temp table dialer_asked) stay
-- 'unknown' although the list did not show them (absent, but the dialer may have dialled them).
SELECT count(*)::INTEGER FROM dialer_pushes p JOIN dialer_asked q USING (attempt_id) WHERE p.state = 'unknown';
