-- How many contacts are recorded for day $as_of (the report of a day already planned). Returns
-- one count.
SELECT count(*) FROM contact_attempts WHERE planned_for_date = $as_of::DATE;
