-- opted_out_<channel>: the borrower opted out of the contact's channel (STOP reply, unsubscribe,
-- operator event) and has not opted back in, or the channel was closed FROM the contact's point
-- (a STOP sent from the number: point_routes.blocked = 'opted_out_point', whoever the contact is
-- for, when the borrower has no other usable point on the channel), unless the step is legally
-- required (policy.legally_required_steps). One reason per channel: opted_out_sms, opted_out_email, ...
-- The one confirmation of an opt-out made by reply (step opt_out_confirmation, planned on the
-- opt-out's channel and addressed to the point it came from: contact_point set) is exempt from
-- this rule only; everything else (deceased, quiet hours, caps, review_overdue...) still applies.
-- Why of the exemption: TCPA 2024 order (47 CFR 64.1200(a)(12)): one confirmation text of the
-- revocation is allowed, in the person's language.
-- Why: TCPA / Reg F 1006.14(h) and PIPL consent withdrawal: a channel the borrower closed stays
-- closed, and a number that said STOP gets nothing more on that channel (issue 11 case 3).
-- Audit: opt_out_honoured.
SELECT g.idempotency_key, 'opted_out_' || g.channel AS reason
FROM gate_subjects AS g
WHERE (list_contains(g.opted_out_channels, g.channel) OR g.point_blocked = 'opted_out_point')
  AND NOT g.legally_required
  AND NOT (g.step = 'opt_out_confirmation' AND g.contact_point IS NOT NULL);
