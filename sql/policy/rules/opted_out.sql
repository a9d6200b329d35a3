-- opted_out_<channel>: the borrower opted out of the contact's channel (STOP reply, unsubscribe,
-- operator event) and has not opted back in, unless the step is legally required
-- (policy.legally_required_steps). One reason per channel: opted_out_sms, opted_out_email, ...
-- Why: TCPA / Reg F 1006.14(h) and PIPL consent withdrawal: a channel the borrower closed stays
-- closed. Audit: opt_out_honoured.
SELECT g.idempotency_key, 'opted_out_' || g.channel AS reason
FROM gate_subjects AS g
WHERE list_contains(g.opted_out_channels, g.channel) AND NOT g.legally_required;
