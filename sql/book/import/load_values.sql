-- Copies the Python verdicts (Arrow view import_values_src: kind, value, normalised, problem, zone) into import_values.
INSERT INTO import_values BY NAME
SELECT * FROM import_values_src;
