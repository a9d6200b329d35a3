-- preference_channel: the borrower's latest contact_preference names the contact's channel among
-- its avoid_channels (borrower_policy.avoid_channels), unless the step is legally required.
-- Why: Reg F 1006.6(b)(1) and 1006.14(h) (the consumer may name inconvenient times, places and
-- media), FCA CONC 7.9 (respect requests about how to communicate). Audit: preferences_honoured.
SELECT g.idempotency_key, 'preference_channel' AS reason
FROM gate_subjects AS g
WHERE list_contains(g.avoid_channels, g.channel) AND NOT g.legally_required;
