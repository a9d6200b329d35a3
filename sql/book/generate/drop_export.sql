-- Drops the book export's temporary table syn_export. Returns nothing.
DROP TABLE IF EXISTS syn_export;
