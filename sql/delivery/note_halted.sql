-- When a channel is halted for the rest of a pass (credentials refused, not configured, outage),
-- notes $error on its planned contacts that were due at $now but not tried, so that one whose
-- window then closes counts as lost to a delivery failure, not as an ordinary window_missed.
-- They stay planned; send_tries is unchanged. Returns nothing.
-- With $day (a local day; NULL for all), only the contacts planned for that day: a day's dispatch
-- on a simulated clock, so a replayed pass of an earlier day never sends a later day's contacts.
UPDATE contact_attempts
SET error = $error, updated_at = $now
WHERE status = 'planned' AND channel = $channel AND ($day::DATE IS NULL OR planned_for_date = $day::DATE)
  AND send_after <= $now AND $now < send_before
  AND error IS NULL;
