-- Removes what was pushed to the dialer for the plans of $start and later. Returns nothing.
DELETE FROM dialer_pushes WHERE plan_date >= $start;
