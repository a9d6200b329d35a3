-- The plan days from $around - 1 to $around + 1 whose calls were handed to a dialer: the days a
-- dispatch pass re-syncs after its re-check (a call it suppressed is cancelled at the dialer).
SELECT DISTINCT plan_date FROM dialer_pushes
WHERE plan_date BETWEEN $around::DATE - 1 AND $around::DATE + 1
ORDER BY plan_date;
