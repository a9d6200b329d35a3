-- The attempt ids of the replay's contacts of $start..$end (a list, one value): the audit's
-- violations by these are the replay's; the others are by the recorded history before it.
SELECT list(attempt_id) FROM contact_attempts WHERE planned_for_date BETWEEN $start AND $end;
