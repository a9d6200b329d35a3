-- How many rows the book export (temp table syn_export) holds. Returns one count.
SELECT count(*) FROM syn_export;
