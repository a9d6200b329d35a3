-- Whether this connection holds an assignment decided by loan_comms/calls/assign.py (the temp
-- table day_call_assignments): record writes it only then.
SELECT count(*) > 0 FROM duckdb_tables() WHERE temporary AND table_name = 'day_call_assignments';
