-- Deterministic pseudo-random helpers for the synthetic book: the same (seed, key, salt) always gives
-- the same number, whatever the thread count or row order (random() with setseed does not).
CREATE OR REPLACE TEMP MACRO syn_u(seed, k, salt) AS
    (hash(seed, k, salt) % 1000000007)::DOUBLE / 1000000007.0;
CREATE OR REPLACE TEMP MACRO syn_pick(xs, u) AS
    xs[1 + least(floor(u * len(xs))::BIGINT, len(xs) - 1)];
