-- recovered: what each arm of the experiment recovered, per currency (amounts in different currencies
-- are never added up): one row per (arm, currency) of the loans the arm's members hold, with
--   holders    members holding a loan in that currency (the denominator of "per borrower": intention
--              to treat, a holder who never fell behind or never paid counts as 0)
--   recovered  what they paid on their delinquent loans inside the cure windows, by $as_of
-- Reads experiment_recovered (recovered_units.sql). Sums only.
SELECT arm, currency, count(*) AS holders, sum(recovered)::DECIMAL(18, 2) AS recovered
FROM experiment_recovered
GROUP BY arm, currency
ORDER BY arm, currency;
