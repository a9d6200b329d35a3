-- After desired_payloads.sql: the calls wanted at the dialer, and the assigned calls left out for
-- want of a number to dial.
SELECT (SELECT count(*) FROM dialer_desired)::INTEGER AS wanted,
       (SELECT count(*) FROM dialer_no_number)::INTEGER AS no_number;
