-- import_values: the verdict on each distinct phone/timezone/currency (normalised form or problem,
-- and for a phone its single zone, used to derive a missing timezone); returns nothing.
CREATE OR REPLACE TEMP TABLE import_values (
    kind        VARCHAR NOT NULL,
    value       VARCHAR NOT NULL,
    normalised  VARCHAR,
    problem     VARCHAR,
    zone        VARCHAR        -- phones on a line without a timezone: the one zone the number's plan gives (NULL: none or several)
);
