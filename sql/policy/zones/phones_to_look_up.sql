-- The distinct phones of borrower_phones (borrower_phones.sql) that phone_lookups holds no lookup of
-- with this numbering plan ($numbering_plan: the phonenumbers version): those zones.py looks up now.
SELECT DISTINCT bp.phone
FROM borrower_phones AS bp
WHERE NOT EXISTS (SELECT 1 FROM phone_lookups AS l
                  WHERE l.phone = bp.phone AND l.numbering_plan = $numbering_plan);
