-- Names the Parquet file being imported ($path) for the view import_stage (stage_parquet.sql).
SET VARIABLE import_path = $path;
