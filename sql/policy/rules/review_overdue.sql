-- review_overdue: a review item on the contact's channel is past its deadline and still
-- unresolved (review_items.overdue as of $now): it is treated as the opt-out it may have been.
-- Every contact on that channel to the borrower stops, and every contact on that channel to the
-- point the reply came from, for every borrower holding it (point_flags.review_overdue_channels;
-- a borrower with another usable point on the channel is routed there by point_routes), unless
-- the step is legally required (as for an opt-out).
-- Why: TCPA 2024 order: a revocation is honoured within 10 business days; an item nobody decided
-- in time must not let us keep texting. Audit: reply_opt_outs_honoured.
SELECT g.idempotency_key, 'review_overdue' AS reason
FROM gate_subjects AS g
WHERE (list_contains(g.review_overdue_channels, g.channel)
       OR EXISTS (SELECT 1 FROM point_flags AS f
                  WHERE f.point_id = g.contact_point AND list_contains(f.review_overdue_channels, g.channel)))
  AND NOT g.legally_required;
