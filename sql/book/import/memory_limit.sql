-- DuckDB's memory limit as it stands (the import gives it back when it is done). One value.
SELECT current_setting('memory_limit');
