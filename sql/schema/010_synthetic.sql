-- The latent payment behaviour of each synthetic borrower (written by loan_comms/book/synthetic.py).
-- Kept out of borrowers on purpose: nothing in the lifecycle may know it; only tests, benches and
-- reports compare what the system did with how the borrower was going to behave.
--   early    pays 1-5 days before the due date
--   on_time  pays on the due date
--   late     pays 3-40 days after the due date
--   partial  pays 30-70% on the due date and the rest 5-30 days late
--   never    pays on time until stop_date, then never again
CREATE TABLE IF NOT EXISTS synthetic_profiles (
    borrower_id  VARCHAR PRIMARY KEY,
    behaviour    VARCHAR NOT NULL CHECK (behaviour IN ('early', 'on_time', 'late', 'partial', 'never')),
    seed         BIGINT NOT NULL,
    start_date   DATE NOT NULL                     -- the `start` the book was generated for
);
