-- import_lines: every staged line with trimmed, typed values and the problems found on the line
-- itself (problems across lines come in sql/book/import/problem_lines.sql). Returns nothing.
-- problems is a list of {code, entity, msg}, NULL when the line has none (most lines: the list is
-- only built for a line where some check fails); entity says what the problem makes unloadable
-- (borrower > loan > installment). The raw values stay in import_stage (quarantine copies them).
-- Parameters: $email_re (validation.EMAIL_SQL_RE), $jurisdictions (allowed profiles),
-- $zone_profiles / $zone_first (each profile with zones, and its first zone).
-- A missing timezone is derived (timezone_source): the phone's one zone ('phone'), else the first
-- zone of the jurisdiction ('jurisdiction': then all its zones are plausible, see
-- sql/policy/zones/borrower_zones.sql); given in the file: 'file'. Reg F 1006.6(b)(1) comment 2.
CREATE OR REPLACE TEMP TABLE import_lines AS
WITH t AS (
    SELECT line, line_problem,
           nullif(trim(borrower_id), '')                             AS borrower_id,
           nullif(trim(full_name), '')                               AS full_name,
           nullif(trim(first_name), '')                              AS first_name_in,
           nullif(trim(phone_e164), '')                              AS phone_in,
           nullif(trim(email), '')                                   AS email,
           nullif(trim(language), '')                                AS language_in,
           nullif(trim(timezone), '')                                AS timezone_in,
           nullif(trim(address_timezone), '')                        AS address_timezone,
           nullif(trim(city), '')                                    AS city,
           nullif(trim(district), '')                                AS district,
           coalesce(lower(nullif(trim(jurisdiction), '')), 'default') AS jurisdiction,
           coalesce(lower(nullif(trim(segment), '')), 'consumer')    AS segment,
           nullif(trim(loan_id), '')                                 AS loan_id,
           nullif(trim(product), '')                                 AS product,
           nullif(trim(principal), '')                               AS principal_in,
           upper(nullif(trim(currency), ''))                         AS currency,
           nullif(trim(opened_on), '')                               AS opened_on_in,
           nullif(trim(installment_no), '')                          AS installment_no_in,
           nullif(trim(due_date), '')                                AS due_date_in,
           nullif(trim(amount_due), '')                              AS amount_due_in,
           nullif(trim(amount_paid), '')                             AS amount_paid_in,
           nullif(trim(paid_at), '')                                 AS paid_at_in
    FROM import_stage
),
typed AS (
    SELECT t.*,
           ph.normalised AS phone_e164,
           ph.problem    AS phone_problem,
           tz.problem    AS timezone_problem,
           atz.problem   AS address_timezone_problem,
           ph.zone       AS phone_zone,
           list_extract($zone_first::VARCHAR[], list_position($zone_profiles::VARCHAR[], t.jurisdiction))
                         AS jurisdiction_zone,
           cu.problem    AS currency_problem,
           CASE lower(t.language_in) WHEN 'zh-cn' THEN 'zh-CN' WHEN 'en' THEN 'en' END AS language,
           TRY_CAST(t.principal_in AS DECIMAL(18, 2))   AS principal,
           coalesce(TRY_CAST(t.opened_on_in AS DATE),
                    TRY_CAST(TRY_CAST(t.opened_on_in AS TIMESTAMP) AS DATE)) AS opened_on,
           TRY_CAST(t.installment_no_in AS INTEGER)     AS installment_no,
           coalesce(TRY_CAST(t.due_date_in AS DATE),
                    TRY_CAST(TRY_CAST(t.due_date_in AS TIMESTAMP) AS DATE))  AS due_date,
           TRY_CAST(t.amount_due_in AS DECIMAL(18, 2))  AS amount_due,
           TRY_CAST(t.amount_paid_in AS DECIMAL(18, 2)) AS amount_paid_v,
           TRY_CAST(t.paid_at_in AS TIMESTAMPTZ)        AS paid_at
    FROM t
    LEFT JOIN import_values AS ph ON ph.kind = 'phone' AND ph.value = t.phone_in
    LEFT JOIN import_values AS tz ON tz.kind = 'timezone' AND tz.value = t.timezone_in
    LEFT JOIN import_values AS atz ON atz.kind = 'timezone' AND atz.value = t.address_timezone
    LEFT JOIN import_values AS cu ON cu.kind = 'currency' AND cu.value = t.currency
),
checked AS (   -- one column per check: a problem struct, NULL when the value is fine
    SELECT *,
           -- borrower
           CASE WHEN borrower_id IS NULL THEN {'code': 'missing_borrower_id', 'entity': 'borrower', 'msg': 'missing borrower_id'} END AS c1,
           CASE WHEN full_name IS NULL THEN {'code': 'missing_full_name', 'entity': 'borrower', 'msg': 'missing full_name'} END AS c2,
           CASE WHEN phone_problem IS NOT NULL THEN {'code': 'malformed_phone', 'entity': 'borrower', 'msg': phone_problem} END AS c3,
           CASE WHEN email IS NOT NULL AND NOT regexp_full_match(email, $email_re)
                THEN {'code': 'malformed_email', 'entity': 'borrower',
                      'msg': 'malformed email ' || left(email, 1) || '***' || CASE WHEN contains(email, '@') THEN '@' || split_part(email, '@', -1) ELSE '' END} END AS c4,
           CASE WHEN language_in IS NULL THEN {'code': 'missing_language', 'entity': 'borrower', 'msg': 'missing language'}
                WHEN language IS NULL THEN {'code': 'unknown_language', 'entity': 'borrower', 'msg': 'language ''' || language_in || ''' is not zh-CN or en'} END AS c5,
           CASE WHEN coalesce(timezone_in, phone_zone, jurisdiction_zone) IS NULL
                THEN {'code': 'missing_timezone', 'entity': 'borrower', 'msg': 'missing timezone (none from the phone or the jurisdiction either)'}
                WHEN timezone_problem IS NOT NULL THEN {'code': 'unknown_timezone', 'entity': 'borrower', 'msg': timezone_problem} END AS c6,
           CASE WHEN address_timezone_problem IS NOT NULL
                THEN {'code': 'unknown_timezone', 'entity': 'borrower', 'msg': 'address_timezone: ' || address_timezone_problem} END AS c7,
           CASE WHEN length(city) > 80 OR regexp_matches(city, '[\x00-\x1f@]')
                THEN {'code': 'bad_place', 'entity': 'borrower', 'msg': 'city is not a place name (at most 80 characters, no control characters or @)'}
                WHEN length(district) > 80 OR regexp_matches(district, '[\x00-\x1f@]')
                THEN {'code': 'bad_place', 'entity': 'borrower', 'msg': 'district is not a place name (at most 80 characters, no control characters or @)'} END AS c8,
           CASE WHEN NOT list_contains($jurisdictions, jurisdiction)
                THEN {'code': 'unknown_jurisdiction', 'entity': 'borrower',
                      'msg': 'jurisdiction ''' || jurisdiction || ''' is not one of ' || array_to_string($jurisdictions, ', ')} END AS c9,
           -- loan
           CASE WHEN loan_id IS NULL THEN {'code': 'missing_loan_id', 'entity': 'loan', 'msg': 'missing loan_id'} END AS c10,
           CASE WHEN product IS NULL THEN {'code': 'missing_product', 'entity': 'loan', 'msg': 'missing product'} END AS c11,
           CASE WHEN principal_in IS NULL THEN {'code': 'missing_amount', 'entity': 'loan', 'msg': 'missing principal'}
                WHEN principal IS NULL THEN {'code': 'non_numeric_amount', 'entity': 'loan', 'msg': 'principal ''' || principal_in || ''' is not a number'}
                WHEN principal < 0 THEN {'code': 'negative_amount', 'entity': 'loan', 'msg': 'negative principal ' || principal_in} END AS c12,
           CASE WHEN currency IS NULL THEN {'code': 'missing_currency', 'entity': 'loan', 'msg': 'missing currency'}
                WHEN currency_problem IS NOT NULL THEN {'code': 'unknown_currency', 'entity': 'loan', 'msg': currency_problem} END AS c13,
           CASE WHEN opened_on_in IS NOT NULL AND opened_on IS NULL
                THEN {'code': 'unparseable_date', 'entity': 'loan', 'msg': 'unparseable opened_on ''' || opened_on_in || ''' (YYYY-MM-DD expected)'} END AS c14,
           -- installment
           CASE WHEN installment_no_in IS NULL THEN {'code': 'missing_installment_no', 'entity': 'installment', 'msg': 'missing installment_no'}
                WHEN installment_no IS NULL OR installment_no < 1
                THEN {'code': 'bad_installment_no', 'entity': 'installment', 'msg': 'installment_no ''' || installment_no_in || ''' is not a whole number >= 1'} END AS c15,
           CASE WHEN due_date_in IS NULL THEN {'code': 'missing_due_date', 'entity': 'installment', 'msg': 'missing due_date'}
                WHEN due_date IS NULL THEN {'code': 'unparseable_date', 'entity': 'installment', 'msg': 'unparseable due_date ''' || due_date_in || ''' (YYYY-MM-DD expected)'} END AS c16,
           CASE WHEN amount_due_in IS NULL THEN {'code': 'missing_amount', 'entity': 'installment', 'msg': 'missing amount_due'}
                WHEN amount_due IS NULL THEN {'code': 'non_numeric_amount', 'entity': 'installment', 'msg': 'amount_due ''' || amount_due_in || ''' is not a number'}
                WHEN amount_due < 0 THEN {'code': 'negative_amount', 'entity': 'installment', 'msg': 'negative amount_due ' || amount_due_in} END AS c17,
           CASE WHEN amount_paid_in IS NOT NULL AND amount_paid_v IS NULL
                THEN {'code': 'non_numeric_amount', 'entity': 'installment', 'msg': 'amount_paid ''' || amount_paid_in || ''' is not a number'}
                WHEN amount_paid_v < 0 THEN {'code': 'negative_amount', 'entity': 'installment', 'msg': 'negative amount_paid ' || amount_paid_in} END AS c18,
           CASE WHEN paid_at_in IS NOT NULL AND paid_at IS NULL
                THEN {'code': 'unparseable_date', 'entity': 'installment', 'msg': 'unparseable paid_at ''' || paid_at_in || ''' (ISO 8601 expected)'} END AS c19
    FROM typed
)
SELECT line, line_problem,
       borrower_id, full_name,
       coalesce(first_name_in, CASE WHEN language = 'en' THEN split_part(full_name, ' ', 1) END) AS first_name,
       phone_in, phone_e164, email, language,
       coalesce(timezone_in, phone_zone, jurisdiction_zone) AS timezone,
       CASE WHEN timezone_in IS NOT NULL THEN 'file' WHEN phone_zone IS NOT NULL THEN 'phone'
            WHEN jurisdiction_zone IS NOT NULL THEN 'jurisdiction' END AS timezone_source,
       address_timezone, city, district, jurisdiction, segment,
       loan_id, product, principal, currency, opened_on,
       installment_no_in, installment_no, due_date, amount_due,
       coalesce(amount_paid_v, 0) AS amount_paid, paid_at,
       CASE WHEN line_problem IS NOT NULL
            THEN [{'code': 'malformed_line', 'entity': 'installment', 'msg': line_problem}]
            WHEN coalesce(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19) IS NOT NULL
            THEN list_filter([c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19], lambda p: p IS NOT NULL) END AS problems
FROM checked;
