-- Takes the derived paid amounts off every installment (amount_paid, paid_at are written back by the
-- plan from the payments, and only ever grow: materialize_installments.sql). Imports and the generator
-- write them as 0 / NULL, so the first replayed plan derives them again as of its own instant.
-- Returns nothing.
UPDATE installments SET amount_paid = 0, paid_at = NULL WHERE amount_paid <> 0 OR paid_at IS NOT NULL;
