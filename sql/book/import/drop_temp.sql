-- Drops the import's temporary tables (the connection may live on for a daily run). Returns nothing.
DROP TABLE IF EXISTS import_stage;
DROP TABLE IF EXISTS import_values;
DROP TABLE IF EXISTS import_checked;
DROP TABLE IF EXISTS import_resolved;
DROP TABLE IF EXISTS import_good_borrowers;
DROP TABLE IF EXISTS import_good_loans;
