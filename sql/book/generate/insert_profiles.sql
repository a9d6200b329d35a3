-- Records each synthetic borrower's latent behaviour (synthetic_profiles). Returns the count.
INSERT INTO synthetic_profiles (borrower_id, behaviour, seed, start_date)
SELECT borrower_id, behaviour, $seed, $start::DATE FROM syn_borrowers ORDER BY i;
