-- Splits the CSV lines the reader registered as the Arrow view import_csv_lines (line, text) into
-- import_csv_stage, for a file without any quote character: there a record is one line and its fields
-- are exactly the text between commas. $header: the header's column names (lower-cased), in file
-- order; a column the file does not have stays NULL, a line with another number of fields than the
-- header is kept with its line_problem (as the csv module would split it). Lines without a comma
-- are not here (blank, or one field: the reader decides). Returns the row count.
INSERT INTO import_csv_stage BY NAME
SELECT line,
       CASE WHEN len(f) <> len($header)
            THEN 'line has ' || len(f) || ' fields, the header has ' || len($header) END AS line_problem,
       f[list_position($header, 'borrower_id')] AS borrower_id,
       f[list_position($header, 'full_name')] AS full_name,
       f[list_position($header, 'first_name')] AS first_name,
       f[list_position($header, 'phone_e164')] AS phone_e164,
       f[list_position($header, 'email')] AS email,
       f[list_position($header, 'language')] AS language,
       f[list_position($header, 'timezone')] AS timezone,
       f[list_position($header, 'jurisdiction')] AS jurisdiction,
       f[list_position($header, 'segment')] AS segment,
       f[list_position($header, 'loan_id')] AS loan_id,
       f[list_position($header, 'product')] AS product,
       f[list_position($header, 'principal')] AS principal,
       f[list_position($header, 'currency')] AS currency,
       f[list_position($header, 'opened_on')] AS opened_on,
       f[list_position($header, 'installment_no')] AS installment_no,
       f[list_position($header, 'due_date')] AS due_date,
       f[list_position($header, 'amount_due')] AS amount_due,
       f[list_position($header, 'amount_paid')] AS amount_paid,
       f[list_position($header, 'paid_at')] AS paid_at,
       f[list_position($header, 'address_timezone')] AS address_timezone,
       f[list_position($header, 'city')] AS city,
       f[list_position($header, 'district')] AS district
FROM (SELECT line, string_split(text, ',') AS f FROM import_csv_lines WHERE contains(text, ','));
