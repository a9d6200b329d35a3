-- Copies the CSV lines the reader registered as the Arrow view import_csv_src into import_csv_stage.
-- Returns the row count. Columns the file does not have stay NULL (BY NAME).
INSERT INTO import_csv_stage BY NAME
SELECT * FROM import_csv_src;
