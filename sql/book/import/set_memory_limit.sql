-- Sets DuckDB's memory limit to $limit (e.g. '1GB'): beyond it, temp tables, aggregates, joins and
-- sorts spill to DuckDB's temp directory instead of growing the process. Returns nothing.
SET memory_limit = $limit;
