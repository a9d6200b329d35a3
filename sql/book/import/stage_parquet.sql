-- import_stage for a Parquet file: a view over the file itself (variable import_path, set by
-- set_import_path.sql), so DuckDB reads it where it lies, row group by row group, each time the import
-- looks, and repeated text comes as dictionaries (trimmed once per distinct value, not per line).
-- The known columns as text (dates as YYYY-MM-DD, timestamps in UTC), matched case-insensitively;
-- columns the file does not have are NULL. line = Parquet row number, 1-based. Returns nothing.
CREATE OR REPLACE TEMP VIEW import_stage AS
SELECT *
FROM (SELECT NULL::BIGINT AS line, NULL::VARCHAR AS line_problem,
               NULL::VARCHAR AS borrower_id,
               NULL::VARCHAR AS full_name,
               NULL::VARCHAR AS first_name,
               NULL::VARCHAR AS phone_e164,
               NULL::VARCHAR AS email,
               NULL::VARCHAR AS language,
               NULL::VARCHAR AS timezone,
               NULL::VARCHAR AS jurisdiction,
               NULL::VARCHAR AS segment,
               NULL::VARCHAR AS loan_id,
               NULL::VARCHAR AS product,
               NULL::VARCHAR AS principal,
               NULL::VARCHAR AS currency,
               NULL::VARCHAR AS opened_on,
               NULL::VARCHAR AS installment_no,
               NULL::VARCHAR AS due_date,
               NULL::VARCHAR AS amount_due,
               NULL::VARCHAR AS amount_paid,
               NULL::VARCHAR AS paid_at,
               NULL::VARCHAR AS address_timezone,
               NULL::VARCHAR AS city,
               NULL::VARCHAR AS district
      WHERE false)
UNION ALL BY NAME
SELECT COLUMNS(lambda c: lower(c) IN (
           'borrower_id', 'full_name', 'first_name', 'phone_e164', 'email', 'language', 'timezone',
           'jurisdiction', 'segment', 'loan_id', 'product', 'principal', 'currency', 'opened_on',
           'installment_no', 'due_date', 'amount_due', 'amount_paid', 'paid_at', 'address_timezone', 'city',
           'district'))::VARCHAR,
       file_row_number + 1 AS line
FROM read_parquet(getvariable('import_path'), file_row_number = true);
