-- The newest day planned before $start (the day whose plan left the installments' paid amounts as
-- they stood when $start began); NULL when $start is the book's first planned day.
SELECT max(as_of) FROM day_runs WHERE as_of < $start AND planned_at IS NOT NULL;
