-- Drops the generator's temporary tables. Returns nothing.
DROP TABLE IF EXISTS syn_borrowers;
DROP TABLE IF EXISTS syn_loans;
DROP TABLE IF EXISTS syn_zone_noons;
