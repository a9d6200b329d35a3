-- import_csv_stage: a CSV file's records as the reader split them, every value as text, one row per
-- record, and import_stage, the view the import reads every file through (a Parquet file replaces
-- it with a view over the file: stage_parquet.sql); returns nothing.
-- line is the line of the file where the record starts (CSV header = line 1; Parquet: row number, 1-based).
-- line_problem is set by the reader for lines it could not split into the header's columns.
CREATE OR REPLACE TEMP TABLE import_csv_stage (
    line            BIGINT NOT NULL,
    line_problem    VARCHAR,
    borrower_id     VARCHAR,
    full_name       VARCHAR,
    first_name      VARCHAR,
    phone_e164      VARCHAR,
    email           VARCHAR,
    language        VARCHAR,
    timezone        VARCHAR,
    jurisdiction    VARCHAR,
    segment         VARCHAR,
    loan_id         VARCHAR,
    product         VARCHAR,
    principal       VARCHAR,
    currency        VARCHAR,
    opened_on       VARCHAR,
    installment_no  VARCHAR,
    due_date        VARCHAR,
    amount_due      VARCHAR,
    amount_paid     VARCHAR,
    paid_at         VARCHAR,
    address_timezone VARCHAR,                       -- optional: IANA zone of the postal address
    city            VARCHAR,                        -- optional: where a home visit goes (field agents cover cities)
    district        VARCHAR                         -- optional: the district of the city (a visit round is one area)
);
CREATE OR REPLACE TEMP VIEW import_stage AS SELECT * FROM import_csv_stage;
