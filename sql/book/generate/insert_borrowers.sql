-- Writes syn_borrowers into borrowers; created_at = when the borrower's first loan opened (UTC midnight),
-- so the same seed gives identical tables. Returns the count.
INSERT INTO borrowers (borrower_id, full_name, first_name, phone_e164, email, language, timezone,
                       jurisdiction, segment, created_at, city, district)
SELECT b.borrower_id, b.full_name, b.first_name, b.phone_e164, b.email, b.language, b.timezone,
       b.jurisdiction, b.segment, f.first_opened::TIMESTAMPTZ, b.city, b.district
FROM syn_borrowers AS b
JOIN (SELECT bi, min(opened_on) AS first_opened FROM syn_loans GROUP BY bi) AS f ON f.bi = b.i
ORDER BY b.i;
