-- The IANA timezone names DuckDB (ICU) can convert; a borrower's timezone must be one of them
-- (and one Python's zoneinfo knows) for local days to agree. Returns (name).
SELECT name FROM pg_timezone_names();
