-- import_loadable: the lines of this import that are loaded (every line not in import_quarantined),
-- with their typed values. Returns nothing.
CREATE OR REPLACE TEMP VIEW import_loadable AS
SELECT * FROM import_lines AS l
WHERE NOT EXISTS (SELECT 1 FROM import_quarantined AS q WHERE q.line = l.line);
