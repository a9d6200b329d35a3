-- How many contacts are recorded for the day $as_of (n): the report of a day already planned.
SELECT count(*) AS n FROM contact_attempts WHERE planned_for_date = $as_of::DATE;
