-- The last instant a window of day $as_of's contacts closes (the final dispatch pass, which
-- marks what is left window_missed). Returns one timestamp, NULL for a day without contacts.
SELECT max(send_before) FROM contact_attempts WHERE planned_for_date = $as_of::DATE;
