-- Drops the import's temporary tables (the connection may live on for a daily run). Returns nothing.
DROP VIEW IF EXISTS import_loadable;
DROP VIEW IF EXISTS import_stage;
DROP TABLE IF EXISTS import_csv_stage;
DROP TABLE IF EXISTS import_values;
DROP TABLE IF EXISTS import_lines;
DROP TABLE IF EXISTS import_borrower_keys;
DROP TABLE IF EXISTS import_loan_keys;
DROP TABLE IF EXISTS import_installment_repeats;
DROP TABLE IF EXISTS import_problem_lines;
DROP TABLE IF EXISTS import_bad_borrowers;
DROP TABLE IF EXISTS import_bad_loans;
DROP TABLE IF EXISTS import_quarantined;
DROP TABLE IF EXISTS import_good_borrowers;
DROP TABLE IF EXISTS import_good_loans;
RESET VARIABLE import_path;
