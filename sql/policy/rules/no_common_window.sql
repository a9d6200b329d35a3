-- no_common_window: the windows of the borrower's plausible zones do not overlap on the contact's
-- day (contact_windows: send_after >= send_before), e.g. a cn borrower on file in Shanghai whose
-- phone is in Los Angeles, or a contact preference whose hours fall outside the profile's window.
-- Why: Reg F 1006.6(b)(1) comment 2: when the consumer's location is unclear, contact only at a
-- time convenient in every zone they may be in; there is none. Audit: quiet_hours_every_zone.
-- Letters are exempt: a posted letter is not heard at a time of day (the audit's quiet-hours rules
-- leave them out too), and a legally required notice by letter must still go; decide.sql gives a
-- letter the window of the timezone on file when the zones have none in common.
SELECT g.idempotency_key, 'no_common_window' AS reason
FROM gate_subjects AS g
WHERE g.channel <> 'letter' AND (g.send_after IS NULL OR g.send_after >= g.send_before);
