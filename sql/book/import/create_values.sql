-- import_values: the verdict on each distinct phone/timezone/currency (normalised form or problem); returns nothing.
CREATE OR REPLACE TEMP TABLE import_values (
    kind        VARCHAR NOT NULL,
    value       VARCHAR NOT NULL,
    normalised  VARCHAR,
    problem     VARCHAR
);
