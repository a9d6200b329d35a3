-- Records the answers of a reassigned-numbers file (registered table _reassigned: phone in E.164,
-- reassigned_on) as 'number_reassigned' events, one for EVERY borrower holding the number (any of
-- their phone points, recipients view), contact_point = the number's point, occurred_at = the day
-- it changed hands (00:00 UTC), external_id 'reassigned:<point>:<day>:<borrower>' (a re-ingested
-- file records nothing new). A number reassigned after we got it reaches someone else: no SMS or
-- call to it for anyone until the borrower verifies it again (point_routes.sql; FCC Reassigned
-- Numbers Database, TCPA). Returns nothing.
INSERT INTO borrower_events (borrower_id, kind, occurred_at, detail, channel, source, external_id, recorded_at,
                             contact_point, scope)
SELECT DISTINCT r.borrower_id, 'number_reassigned', x.reassigned_on::TIMESTAMPTZ,
       json_object('reassigned_on', strftime(x.reassigned_on, '%Y-%m-%d')), NULL, 'reassigned_numbers',
       'reassigned:' || r.point_id || ':' || strftime(x.reassigned_on, '%Y-%m-%d') || ':' || r.borrower_id,
       $now, r.point_id, 'borrower'
FROM _reassigned AS x
JOIN recipients AS r ON r.channel = 'call' AND r.address = x.phone
WHERE NOT EXISTS (SELECT 1 FROM borrower_events AS e
                  WHERE e.external_id = 'reassigned:' || r.point_id || ':' || strftime(x.reassigned_on, '%Y-%m-%d')
                                        || ':' || r.borrower_id);
