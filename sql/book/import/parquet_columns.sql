-- The column names of the Parquet file $path (to report missing required columns by name).
SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet($path));
