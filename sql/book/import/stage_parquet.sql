-- Copies the known columns of the Parquet file $path into import_stage as text (dates as YYYY-MM-DD,
-- timestamps in UTC); other columns are ignored. line = Parquet row number, 1-based. Returns the count.
INSERT INTO import_stage BY NAME
SELECT COLUMNS(lambda c: lower(c) IN (
           'borrower_id', 'full_name', 'first_name', 'phone_e164', 'email', 'language', 'timezone',
           'jurisdiction', 'segment', 'loan_id', 'product', 'principal', 'currency', 'opened_on',
           'installment_no', 'due_date', 'amount_due', 'amount_paid', 'paid_at', 'address_timezone', 'city', 'district')),
       file_row_number + 1 AS line
FROM read_parquet($path, file_row_number = true);
